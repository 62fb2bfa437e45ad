import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { actionsServiceRef } from '@backstage/backend-plugin-api/alpha';
import {
  assistantProvidersExtensionPoint,
  LlmProvider,
} from '@portal/plugin-assistant-node';
import { createRouter } from './api/router';
import { ConversationStore } from './database/ConversationStore';
import { AssistantService, DEFAULT_LIMITS } from './service/AssistantService';

/**
 * The assistant backend: each person's conversations with a language model
 * that answers from the portal's own actions (the tools MCP clients get),
 * with that person's credentials. Models come from provider modules
 * (assistant-backend-module-openai, -anthropic); without one, it keeps
 * conversations and says how to configure a model.
 *
 * @public
 */
export const assistantPlugin = createBackendPlugin({
  pluginId: 'assistant',
  register(env) {
    const providers: LlmProvider[] = [];
    env.registerExtensionPoint(assistantProvidersExtensionPoint, {
      addProvider(provider) {
        providers.push(provider);
      },
    });

    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        database: coreServices.database,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        auditor: coreServices.auditor,
        logger: coreServices.logger,
        discovery: coreServices.discovery,
        actions: actionsServiceRef,
      },
      async init(deps) {
        const limits = deps.config.getOptionalConfig('assistant.limits');
        const store = await ConversationStore.create({
          database: deps.database,
        });
        const [provider] = providers;
        if (providers.length > 1) {
          deps.logger.warn(
            `More than one model provider is installed; the assistant uses ${provider.name} (${provider.model})`,
          );
        }
        const assistant = new AssistantService({
          store,
          actions: deps.actions,
          provider,
          auditor: deps.auditor,
          logger: deps.logger,
          confirmable:
            deps.config.getOptionalStringArray(
              'assistant.confirmableActions',
            ) ?? [],
          limits: {
            maxSteps: limits?.getOptionalNumber('maxSteps'),
            maxToolCallsPerStep: limits?.getOptionalNumber(
              'maxToolCallsPerStep',
            ),
            maxTokens: limits?.getOptionalNumber('maxTokens'),
            maxOutputTokens: limits?.getOptionalNumber('maxOutputTokens'),
            timeoutMs:
              (limits?.getOptionalNumber('timeoutSeconds') ??
                DEFAULT_LIMITS.timeoutMs / 1000) * 1000,
            maxToolOutputChars: limits?.getOptionalNumber('maxToolOutputChars'),
          } as never,
        });
        deps.httpRouter.use(
          await createRouter({
            httpAuth: deps.httpAuth,
            auditor: deps.auditor,
            store,
            assistant,
            mcpEndpoint: `${await deps.discovery.getExternalBaseUrl(
              'mcp-actions',
            )}/v1`,
          }),
        );
      },
    });
  },
});
