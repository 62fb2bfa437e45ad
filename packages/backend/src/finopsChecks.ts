/*
 * FinOps' scorecard check (cloud spend attributed by the cost-allocation
 * tag), a module of the SecOps plugin that the FinOps backend package
 * brings: re-exported as a default so that features.ts adds it as it adds
 * the others.
 */
import { secopsModuleFinopsChecks } from '@portal/plugin-finops-backend';

export default secopsModuleFinopsChecks;
