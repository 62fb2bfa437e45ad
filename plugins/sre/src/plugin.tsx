import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { HomePageWidgetBlueprint } from '@backstage/plugin-home-react/alpha';
import { SreClient, sreApiRef } from './api';

const sreApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: sreApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new SreClient(deps),
    }),
});

/** The Reliability tab of components, resources and systems. */
const entityReliabilityContent = EntityContentBlueprint.make({
  params: {
    path: '/reliability',
    title: 'Reliability',
    filter: { kind: { $in: ['component', 'resource', 'system'] } },
    loader: () =>
      import('./components/EntityReliabilityContent').then(m => (
        <m.EntityReliabilityContent />
      )),
  },
});

/** The Reliability tab of groups: every SLO of the subtree, worst first. */
const groupReliabilityContent = EntityContentBlueprint.make({
  name: 'group',
  params: {
    path: '/reliability',
    title: 'Reliability',
    filter: { kind: 'group' },
    loader: () =>
      import('./components/GroupReliabilityContent').then(m => (
        <m.GroupReliabilityContent />
      )),
  },
});

/** Dashboards, logs and traces, on the overview of components and resources. */
const observabilityCard = EntityCardBlueprint.make({
  name: 'observability',
  params: {
    filter: { kind: { $in: ['component', 'resource'] } },
    loader: () =>
      import('./components/ObservabilityCard').then(m => (
        <m.ObservabilityCard />
      )),
  },
});

/** The home page's "SLOs burning": the person's teams, in one call. */
const myReliabilityWidget = HomePageWidgetBlueprint.make({
  name: 'my-reliability',
  params: {
    name: 'MyReliability',
    title: 'SLOs burning',
    description: 'Your teams’ SLOs that burn their error budget too fast',
    components: () =>
      import('./components/MyReliabilityWidget').then(m => ({
        Content: m.MyReliabilityWidget,
      })),
  },
});

/** SRE: SLOs, error budgets, burn rates and alerts, keyed by ownership. */
export const srePlugin = createFrontendPlugin({
  pluginId: 'sre',
  title: 'Reliability',
  info: { packageJson: () => import('../package.json') },
  extensions: [
    sreApi,
    entityReliabilityContent,
    groupReliabilityContent,
    observabilityCard,
    myReliabilityWidget,
  ],
});
