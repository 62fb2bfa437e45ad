import {
  ApiBlueprint,
  createFrontendPlugin,
  createRouteRef,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import { HomePageWidgetBlueprint } from '@backstage/plugin-home-react/alpha';
import CallSplitIcon from '@material-ui/icons/CallSplit';
import { GoldenPathClient, goldenPathApiRef } from './api';

const goldenPathApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: goldenPathApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new GoldenPathClient(deps),
    }),
});

const rootRouteRef = createRouteRef();

/** The fleet page: template versions, and bulk upgrades. */
const fleetPage = PageBlueprint.make({
  params: {
    path: '/golden-path',
    routeRef: rootRouteRef,
    loader: () => import('./components/FleetPage').then(m => <m.FleetPage />),
  },
});

/** The home page's widget: the person's teams' services behind. */
const behindWidget = HomePageWidgetBlueprint.make({
  name: 'behind',
  params: {
    name: 'GoldenPathBehind',
    title: 'Golden path: behind',
    description:
      'Services of your teams behind the current version of their golden-path template',
    components: () =>
      import('./components/BehindWidget').then(m => ({
        Content: m.BehindWidget,
      })),
  },
});

/** The golden path as a fleet. */
export const goldenPathPlugin = createFrontendPlugin({
  pluginId: 'golden-path',
  title: 'Golden path',
  info: { packageJson: () => import('../package.json') },
  icon: <CallSplitIcon />,
  routes: { root: rootRouteRef },
  extensions: [goldenPathApi, fleetPage, behindWidget],
});
