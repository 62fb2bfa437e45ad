import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { assistantProvidersExtensionPoint } from '@portal/plugin-assistant-node';
import { AnthropicProvider } from './AnthropicProvider';

/**
 * Adds a Claude model through Anthropic's Messages API when
 * `assistant.anthropic` is configured.
 *
 * @public
 */
export const assistantModuleAnthropic = createBackendModule({
  pluginId: 'assistant',
  moduleId: 'anthropic',
  register(reg) {
    reg.registerInit({
      deps: {
        config: coreServices.rootConfig,
        providers: assistantProvidersExtensionPoint,
        logger: coreServices.logger,
      },
      async init({ config, providers, logger }) {
        const anthropic = config.getOptionalConfig('assistant.anthropic');
        if (!anthropic) return;
        const provider = new AnthropicProvider({
          apiKey: anthropic.getString('apiKey'),
          model: anthropic.getString('model'),
          baseUrl: anthropic.getOptionalString('baseUrl'),
          timeoutSeconds: anthropic.getOptionalNumber('timeoutSeconds'),
        });
        providers.addProvider(provider);
        logger.info(`The assistant uses Anthropic's ${provider.model}`);
      },
    });
  },
});
