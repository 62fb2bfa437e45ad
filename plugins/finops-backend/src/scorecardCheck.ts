/*
 * FinOps' scorecard check (cloud spend attributed through the
 * cost-allocation tag), added to the SecOps scorecards through their
 * extension point: a module of the secops plugin that this package brings.
 * It reads FinOps' data as any other plugin does, through
 * finopsCostsServiceRef (FinOps' API, with the portal's own credentials),
 * many entities per call.
 */
import {
  AuthService,
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  FinopsCostsService,
  finopsCostsServiceRef,
} from '@portal/plugin-finops-node';
import {
  CheckOutcome,
  isRunningComponent,
  ScorecardCheck,
  secopsChecksExtensionPoint,
} from '@portal/plugin-secops-node';

/** The period over which some spend must have been attributed. */
export const ATTRIBUTION_DAYS = 30;

/** The check, over FinOps' attributed spend of running components. */
export function costAttributionCheck(deps: {
  costs: FinopsCostsService;
  auth: AuthService;
}): ScorecardCheck {
  return {
    id: 'cost-attributed',
    title: 'Cloud spend attributed',
    description: `The service's cloud resources carry the cost-allocation tag with its entity ref (the golden path's IaC stamps it), so that FinOps attributed spend to it in the last ${ATTRIBUTION_DAYS} days.`,
    level: 'silver',
    appliesTo: isRunningComponent,
    evaluate: async batch => {
      const answer = await deps.costs.getAttributedCost(
        { entityRefs: batch.map(b => b.ref), days: ATTRIBUTION_DAYS },
        { credentials: await deps.auth.getOwnServiceCredentials() },
      );
      const period = `${answer.from} to ${answer.to}`;
      return new Map(
        answer.items.map(({ entityRef, amount }): [string, CheckOutcome] => [
          entityRef,
          amount > 0
            ? {
                passed: true,
                detail: `${answer.currency} ${amount.toFixed(
                  2,
                )} attributed by the ${answer.tagKey} tag, ${period}`,
              }
            : {
                passed: false,
                detail: `no spend attributed ${period}: tag its cloud resources ${answer.tagKey}=${entityRef}`,
              },
        ]),
      );
    },
  };
}

/** Adds FinOps' check to the SecOps scorecards. */
export const secopsModuleFinopsChecks = createBackendModule({
  pluginId: 'secops',
  moduleId: 'finops-checks',
  register(env) {
    env.registerInit({
      deps: {
        checks: secopsChecksExtensionPoint,
        costs: finopsCostsServiceRef,
        auth: coreServices.auth,
      },
      async init({ checks, costs, auth }) {
        checks.addCheck(costAttributionCheck({ costs, auth }));
      },
    });
  },
});
