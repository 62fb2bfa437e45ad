/*
 * Every feature of the portal's production backend, in the order the backend
 * adds them: index.ts starts them, and the production route test
 * (productionRoutes.test.ts) starts exactly the same list. The embedded
 * default's demo modules are not here: index.ts adds them from embedded.ts
 * outside production (packaging.test.ts checks that production never gets
 * them).
 */
export const portalFeatures = [
  import('@backstage/plugin-app-backend'),
  import('@backstage/plugin-proxy-backend'),

  // Software templates (golden paths)
  import('@backstage/plugin-scaffolder-backend'),
  import('@backstage/plugin-scaffolder-backend-module-github'),
  import('@backstage/plugin-scaffolder-backend-module-notifications'),
  // Golden-path actions
  import('@portal/plugin-scaffolder-backend-module-golden-path'),

  // TechDocs
  import('@backstage/plugin-techdocs-backend'),

  // Sign-in: GitHub in production, the demo user picker locally. A provider
  // only starts when auth.providers names it in the configuration.
  import('@backstage/plugin-auth-backend'),
  import('@backstage/plugin-auth-backend-module-github-provider'),
  import('@portal/plugin-auth-backend-module-demo-provider'),
  // A member of a group owns what the groups below it own (managers' views).
  import('@portal/plugin-auth-backend-module-group-ownership'),

  // Software catalog
  import('@backstage/plugin-catalog-backend'),
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
  import('@backstage/plugin-catalog-backend-module-logs'),
  // Production: people and teams from the GitHub organisation
  // (catalog.providers.githubOrg), with the organisation as the root of the
  // team tree, and repositories with a catalog-info.yaml
  // (catalog.providers.github). Neither does anything unless configured.
  import('@backstage/plugin-catalog-backend-module-github-org'),
  import('./githubOrgTree'),
  import('@backstage/plugin-catalog-backend-module-github'),

  // Permissions: the portal's own policy decides who sees and changes what.
  import('@backstage/plugin-permission-backend'),
  import('@portal/plugin-permission-backend-module-portal-policy'),

  // Search: PostgreSQL full text in production, in-memory Lunr on SQLite.
  import('@backstage/plugin-search-backend'),
  import('@backstage/plugin-search-backend-module-pg'),
  import('@backstage/plugin-search-backend-module-catalog'),
  import('@backstage/plugin-search-backend-module-techdocs'),
  import('@portal/plugin-search-backend-module-bi'),

  // SecOps: scanner reports from CI, findings per entity
  import('@portal/plugin-secops-backend'),
  // The golden path's scorecard check (on the current template version)
  import('./goldenPathChecks'),

  // FinOps: cloud cost by catalog ownership
  import('@portal/plugin-finops-backend'),
  import('@portal/plugin-finops-backend-module-aws'),
  // Kubernetes spend from OpenCost, by the workloads' cost-entity label
  import('@portal/plugin-finops-backend-module-opencost'),
  // FinOps' scorecard check (cloud spend attributed by the allocation tag)
  import('./finopsChecks'),

  // BI: dashboards declared on catalog entities
  import('@portal/plugin-bi-backend'),

  // SRE: SLOs and error budgets from Prometheus, alerts from Alertmanager
  import('@portal/plugin-sre-backend'),
  // SRE's scorecard check (SLOs defined and within budget)
  import('./sreChecks'),

  // Kubernetes workloads
  import('@backstage/plugin-kubernetes-backend'),

  // User settings, notifications and signals
  import('@backstage/plugin-user-settings-backend'),
  import('@backstage/plugin-notifications-backend'),
  import('@backstage/plugin-signals-backend'),

  // Actions for assistants, served over MCP
  import('@backstage/plugin-mcp-actions-backend'),
  // The Ask page's assistant, and its model providers (each does nothing
  // unless assistant.openai or assistant.anthropic is configured)
  import('@portal/plugin-assistant-backend'),
  import('@portal/plugin-assistant-backend-module-openai'),
  import('@portal/plugin-assistant-backend-module-anthropic'),
];
