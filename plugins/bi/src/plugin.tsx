import {
  ApiBlueprint,
  createFrontendPlugin,
  createRouteRef,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import BarChartIcon from '@material-ui/icons/BarChart';
import { BiClient, biApiRef } from './api';

const biApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: biApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new BiClient(deps),
    }),
});

/** The dashboards card on components, systems, domains and resources. */
const dashboardsCard = EntityCardBlueprint.make({
  name: 'dashboards',
  params: {
    type: 'info',
    filter: { kind: { $in: ['component', 'system', 'domain', 'resource'] } },
    loader: () =>
      import('./components/DashboardsCard').then(m => <m.DashboardsCard />),
  },
});

/** The Economics tab of products (systems and domains). */
const economicsContent = EntityContentBlueprint.make({
  name: 'economics',
  params: {
    path: '/economics',
    title: 'Economics',
    filter: { kind: { $in: ['system', 'domain'] } },
    loader: () =>
      import('./components/EconomicsContent').then(m => <m.EconomicsContent />),
  },
});

const rootRouteRef = createRouteRef();

/** The BI hub page. */
const biHubPage = PageBlueprint.make({
  params: {
    path: '/bi',
    routeRef: rootRouteRef,
    loader: () => import('./components/BiHubPage').then(m => <m.BiHubPage />),
  },
});

/** BI: dashboards declared on catalog entities. */
export const biPlugin = createFrontendPlugin({
  pluginId: 'bi',
  title: 'BI hub',
  info: { packageJson: () => import('../package.json') },
  icon: <BarChartIcon />,
  routes: { root: rootRouteRef },
  extensions: [biApi, biHubPage, dashboardsCard, economicsContent],
});
