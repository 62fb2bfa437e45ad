/*
 * SRE's scorecard check (SLOs defined and within budget), a module of the
 * SecOps plugin that the SRE backend package brings: re-exported as a
 * default so that features.ts adds it as it adds the others.
 */
import { secopsModuleSreChecks } from '@portal/plugin-sre-backend';

export default secopsModuleSreChecks;
