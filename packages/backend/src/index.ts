/*
 * The portal's backend: Backstage's own plugins and ours, on one process.
 * Scale-out runs N copies of this process on one PostgreSQL (see deploy/).
 */
import { createBackend } from '@backstage/backend-defaults';

const backend = createBackend();

backend.add(import('@backstage/plugin-app-backend'));
backend.add(import('@backstage/plugin-proxy-backend'));

// Software templates (golden paths)
backend.add(import('@backstage/plugin-scaffolder-backend'));
backend.add(import('@backstage/plugin-scaffolder-backend-module-github'));
backend.add(
  import('@backstage/plugin-scaffolder-backend-module-notifications'),
);
// Golden-path actions, and the local repositories of the embedded default
backend.add(import('@portal/plugin-scaffolder-backend-module-golden-path'));

// TechDocs
backend.add(import('@backstage/plugin-techdocs-backend'));

// Sign-in: GitHub in production, the demo user picker locally. A provider
// only starts when auth.providers names it in the configuration.
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-github-provider'));
backend.add(import('@portal/plugin-auth-backend-module-demo-provider'));
// A member of a group owns what the groups below it own (managers' views).
backend.add(import('@portal/plugin-auth-backend-module-group-ownership'));

// Software catalog
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
);
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));
// Production: people and teams from the GitHub organisation
// (catalog.providers.githubOrg), with the organisation as the root of the
// team tree, and repositories with a catalog-info.yaml
// (catalog.providers.github). Neither does anything unless configured.
backend.add(import('@backstage/plugin-catalog-backend-module-github-org'));
backend.add(import('./githubOrgTree'));
backend.add(import('@backstage/plugin-catalog-backend-module-github'));

// Permissions: the portal's own policy decides who sees and changes what.
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(import('@portal/plugin-permission-backend-module-portal-policy'));

// Search: PostgreSQL full text in production, in-memory Lunr on SQLite.
backend.add(import('@backstage/plugin-search-backend'));
backend.add(import('@backstage/plugin-search-backend-module-pg'));
backend.add(import('@backstage/plugin-search-backend-module-catalog'));
backend.add(import('@backstage/plugin-search-backend-module-techdocs'));
backend.add(import('@portal/plugin-search-backend-module-bi'));

// SecOps: scanner reports from CI, findings per entity
backend.add(import('@portal/plugin-secops-backend'));

// FinOps: cloud cost by catalog ownership
backend.add(import('@portal/plugin-finops-backend'));
backend.add(import('@portal/plugin-finops-backend-module-aws'));

// BI: dashboards declared on catalog entities
backend.add(import('@portal/plugin-bi-backend'));

// SRE: SLOs and error budgets from Prometheus, alerts from Alertmanager
backend.add(import('@portal/plugin-sre-backend'));

// Kubernetes workloads
backend.add(import('@backstage/plugin-kubernetes-backend'));

// User settings, notifications and signals
backend.add(import('@backstage/plugin-user-settings-backend'));
backend.add(import('@backstage/plugin-notifications-backend'));
backend.add(import('@backstage/plugin-signals-backend'));

// Actions for assistants, served over MCP
backend.add(import('@backstage/plugin-mcp-actions-backend'));

backend.start();
