/*
 * The golden path's scorecard check (a service on the current version of
 * its template), a module of the SecOps plugin that the golden-path
 * package brings: re-exported as a default so that features.ts adds it as
 * it adds the others.
 */
import { secopsModuleGoldenPathChecks } from '@portal/plugin-scaffolder-backend-module-golden-path';

export default secopsModuleGoldenPathChecks;
