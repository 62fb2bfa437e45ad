import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { assistantProvidersExtensionPoint } from '@portal/plugin-assistant-node';
import { OpenAiCompatibleProvider } from './OpenAiCompatibleProvider';

/**
 * Adds a model behind an OpenAI-compatible chat completions API when
 * `assistant.openai` is configured.
 *
 * @public
 */
export const assistantModuleOpenAi = createBackendModule({
  pluginId: 'assistant',
  moduleId: 'openai',
  register(reg) {
    reg.registerInit({
      deps: {
        config: coreServices.rootConfig,
        providers: assistantProvidersExtensionPoint,
        logger: coreServices.logger,
      },
      async init({ config, providers, logger }) {
        const openai = config.getOptionalConfig('assistant.openai');
        if (!openai) return;
        const provider = new OpenAiCompatibleProvider({
          baseUrl: openai.getString('baseUrl'),
          model: openai.getString('model'),
          apiKey: openai.getOptionalString('apiKey'),
          apiKeyHeader: openai.getOptionalString('apiKeyHeader'),
          apiVersion: openai.getOptionalString('apiVersion'),
          timeoutSeconds: openai.getOptionalNumber('timeoutSeconds'),
        });
        providers.addProvider(provider);
        logger.info(
          `The assistant uses ${provider.model} at ${
            new URL(openai.getString('baseUrl')).host
          }`,
        );
      },
    });
  },
});
