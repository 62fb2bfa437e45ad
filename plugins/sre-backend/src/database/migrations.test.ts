import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { describeMigrations } from '@portal/test-utils';

describeMigrations({
  directory: resolvePackagePath('@portal/plugin-sre-backend', 'migrations'),
  tables: [
    'sre_slos',
    'sre_slo_state',
    'sre_slo_history',
    'sre_alerts',
    'sre_delivery',
  ],
});
