import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { describeMigrations } from '@portal/test-utils';

describeMigrations({
  directory: resolvePackagePath('@portal/plugin-finops-backend', 'migrations'),
  tables: [
    'finops_cost_lines',
    'finops_imports',
    'finops_source_days',
    'finops_budgets',
    'finops_alerts',
    'finops_entity_daily',
    'finops_entity_monthly',
    'finops_owner_daily',
    'finops_owner_monthly',
    'finops_entity_owners',
    'finops_recommendations',
    'finops_group_owners',
    'finops_group_daily',
    'finops_group_monthly',
    'finops_entity_weekly',
  ],
});
