import {
  ApiBlueprint,
  createRouteRef,
  createFrontendPlugin,
  PageBlueprint,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import SecurityIcon from '@material-ui/icons/Security';
import CallSplitIcon from '@material-ui/icons/CallSplit';
import EmojiEventsIcon from '@material-ui/icons/EmojiEvents';
import VerifiedUserIcon from '@material-ui/icons/VerifiedUser';
import { SecopsClient, secopsApiRef } from './api/SecopsClient';
import { HomePageWidgetBlueprint } from '@backstage/plugin-home-react/alpha';

const secopsApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: secopsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new SecopsClient(deps),
    }),
});

/** The Security tab of components, resources and systems. */
const entitySecurityContent = EntityContentBlueprint.make({
  params: {
    path: '/security',
    title: 'Security',
    filter: { kind: { $in: ['component', 'resource', 'system'] } },
    loader: () =>
      import('./components/EntitySecurityContent').then(m => (
        <m.EntitySecurityContent />
      )),
  },
});

const rootRouteRef = createRouteRef();

/** The organisation page for the security team. */
const securityPage = PageBlueprint.make({
  params: {
    path: '/security',
    routeRef: rootRouteRef,
    loader: () =>
      import('./components/SecurityPage').then(m => <m.SecurityPage />),
  },
});

const offPathRouteRef = createRouteRef();

/** The register of workloads let off the golden path, for everyone. */
const offPathPage = PageBlueprint.make({
  name: 'off-path',
  params: {
    path: '/off-path',
    title: 'Off the golden path',
    icon: <CallSplitIcon />,
    // The page has its own header, with what it is for.
    noHeader: true,
    routeRef: offPathRouteRef,
    loader: () =>
      import('./components/OffPathPage').then(m => <m.OffPathPage />),
  },
});

const scorecardsRouteRef = createRouteRef();

/** Scorecards and the leaderboard of teams, for everyone. */
const scorecardsPage = PageBlueprint.make({
  name: 'scorecards',
  params: {
    path: '/scorecards',
    title: 'Scorecards',
    icon: <EmojiEventsIcon />,
    noHeader: true,
    routeRef: scorecardsRouteRef,
    loader: () =>
      import('./components/Scorecards').then(m => <m.ScorecardsPage />),
  },
});

const complianceRouteRef = createRouteRef();

/** Continuous compliance: SOC 2 and HITRUST CSF controls, and the evidence export. */
const compliancePage = PageBlueprint.make({
  name: 'compliance',
  params: {
    path: '/compliance',
    title: 'Compliance',
    icon: <VerifiedUserIcon />,
    noHeader: true,
    routeRef: complianceRouteRef,
    loader: () =>
      import('./components/CompliancePage').then(m => <m.CompliancePage />),
  },
});

/** The Security tab of groups: the manager's view. */
const groupSecurityContent = EntityContentBlueprint.make({
  name: 'group',
  params: {
    path: '/security',
    title: 'Security',
    filter: { kind: 'group' },
    loader: () =>
      import('./components/GroupSecurityContent').then(m => (
        <m.GroupSecurityContent />
      )),
  },
});

/** The home page's "Security": the person's teams, in one call. */
const mySecurityWidget = HomePageWidgetBlueprint.make({
  name: 'my-security',
  params: {
    name: 'MySecurity',
    title: 'Security',
    description:
      'Open critical and high findings of your teams, and what is overdue',
    components: () =>
      import('./components/MySecurityWidget').then(m => ({
        Content: m.MySecurityWidget,
      })),
  },
});

/** SecOps: security findings from CI, per service, team and organisation. */
export const secopsPlugin = createFrontendPlugin({
  pluginId: 'secops',
  title: 'Security',
  info: { packageJson: () => import('../package.json') },
  icon: <SecurityIcon />,
  routes: {
    root: rootRouteRef,
    offPath: offPathRouteRef,
    scorecards: scorecardsRouteRef,
    compliance: complianceRouteRef,
  },
  extensions: [
    secopsApi,
    securityPage,
    offPathPage,
    scorecardsPage,
    compliancePage,
    entitySecurityContent,
    groupSecurityContent,
    mySecurityWidget,
  ],
});
