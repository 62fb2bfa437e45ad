import { createFrontendPlugin } from '@backstage/frontend-plugin-api';

/** The Ask page: questions to the portal's assistant. */
export const assistantPlugin = createFrontendPlugin({
  pluginId: 'assistant',
  title: 'Ask',
  info: { packageJson: () => import('../package.json') },
  extensions: [],
});
