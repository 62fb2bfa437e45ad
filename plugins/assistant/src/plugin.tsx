import {
  ApiBlueprint,
  createFrontendPlugin,
  createRouteRef,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import QuestionAnswerIcon from '@material-ui/icons/QuestionAnswer';
import { AssistantClient, assistantApiRef } from './api';

const assistantApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: assistantApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new AssistantClient(deps),
    }),
});

const rootRouteRef = createRouteRef();

/** The Ask page; it has a header of its own. */
const askPage = PageBlueprint.make({
  params: {
    path: '/ask',
    title: 'Ask',
    icon: <QuestionAnswerIcon />,
    routeRef: rootRouteRef,
    noHeader: true,
    loader: () => import('./components/AskPage').then(m => <m.AskPage />),
  },
});

/** The Ask page: questions to the portal's assistant. */
export const assistantPlugin = createFrontendPlugin({
  pluginId: 'assistant',
  title: 'Ask',
  info: { packageJson: () => import('../package.json') },
  icon: <QuestionAnswerIcon />,
  routes: { root: rootRouteRef },
  extensions: [assistantApi, askPage],
});
