import {
  ApiBlueprint,
  createFrontendPlugin,
  createRouteRef,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import MoneyIcon from '@material-ui/icons/AttachMoney';
import { HomePageWidgetBlueprint } from '@backstage/plugin-home-react/alpha';
import { FinopsClient, finopsApiRef } from './api/FinopsClient';

const finopsApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: finopsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new FinopsClient(deps),
    }),
});

/** The Cost tab of components, resources and systems. */
const entityCostContent = EntityContentBlueprint.make({
  params: {
    path: '/cost',
    title: 'Cost',
    filter: { kind: { $in: ['component', 'resource', 'system'] } },
    loader: () =>
      import('./components/EntityCostContent').then(m => (
        <m.EntityCostContent />
      )),
  },
});

/** The Cost tab of groups: the manager's view. */
const groupCostContent = EntityContentBlueprint.make({
  name: 'group',
  params: {
    path: '/cost',
    title: 'Cost',
    filter: { kind: 'group' },
    loader: () =>
      import('./components/GroupCostContent').then(m => <m.GroupCostContent />),
  },
});

const rootRouteRef = createRouteRef();

/** The FinOps page for finance. */
const finopsPage = PageBlueprint.make({
  params: {
    path: '/finops',
    routeRef: rootRouteRef,
    loader: () => import('./components/FinopsPage').then(m => <m.FinopsPage />),
  },
});

/** The home page's "Cloud cost": the person's teams, in one call. */
const myCostWidget = HomePageWidgetBlueprint.make({
  name: 'my-cost',
  params: {
    name: 'MyCost',
    title: 'Cloud cost',
    description: 'Your teams’ spend, budget and cost alerts',
    components: () =>
      import('./components/MyCostWidget').then(m => ({
        Content: m.MyCostWidget,
      })),
  },
});

/** FinOps: cloud cost by catalog ownership. */
export const finopsPlugin = createFrontendPlugin({
  pluginId: 'finops',
  title: 'FinOps',
  info: { packageJson: () => import('../package.json') },
  icon: <MoneyIcon />,
  routes: { root: rootRouteRef },
  extensions: [
    finopsApi,
    finopsPage,
    entityCostContent,
    groupCostContent,
    myCostWidget,
  ],
});
