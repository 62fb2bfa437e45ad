import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { describeMigrations } from '@portal/test-utils';

describeMigrations({
  directory: resolvePackagePath('@portal/plugin-secops-backend', 'migrations'),
  tables: [
    'secops_scans',
    'secops_findings',
    'secops_gate_decisions',
    'secops_exemptions',
    'secops_events',
    'secops_webhook_deliveries',
    'secops_kev',
    'secops_epss',
    'secops_exploitability_sources',
    'secops_tickets',
    'secops_ticket_links',
    'secops_check_results',
    'secops_scorecards',
    'secops_group_scores',
    'secops_campaigns',
    'secops_check_exemptions',
  ],
});
