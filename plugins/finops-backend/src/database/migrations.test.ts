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
  ],
});
