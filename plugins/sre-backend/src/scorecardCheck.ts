/*
 * SRE's scorecard check (a service with SLOs, each within its error
 * budget), added to the SecOps scorecards through their extension point: a
 * module of the secops plugin that this package brings. It reads SRE's
 * data as any other plugin does, through sreReliabilityServiceRef (SRE's
 * API, with the portal's own credentials), many entities per call.
 */
import {
  AuthService,
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { SloBrief } from '@portal/plugin-sre-common';
import {
  SreReliabilityService,
  sreReliabilityServiceRef,
} from '@portal/plugin-sre-node';
import {
  CheckOutcome,
  isRunningComponent,
  ScorecardCheck,
  secopsChecksExtensionPoint,
} from '@portal/plugin-secops-node';

const percent = (share: number) => `${Math.round(share * 100)}%`;

/** An entity's SLOs, judged: all evaluated and none out of budget. */
export function sloOutcome(slos: SloBrief[]): CheckOutcome {
  if (!slos.length) {
    return {
      passed: false,
      detail:
        'no SLO defined: declare one in OpenSLO (the acme.example/openslo annotation)',
    };
  }
  const records = slos.map(s => `slo:${s.id}`);
  const named = (list: SloBrief[]) => list.map(s => s.name).join(', ');
  const exhausted = slos.filter(
    s =>
      s.status === 'exhausted' ||
      (s.errorBudgetRemaining !== null && s.errorBudgetRemaining <= 0),
  );
  if (exhausted.length) {
    return {
      passed: false,
      detail: `${exhausted.length} of ${
        slos.length
      } SLOs out of error budget (${named(exhausted)})`,
      records,
    };
  }
  const unmeasured = slos.filter(
    s => s.status === 'no-data' || s.status === 'unknown',
  );
  if (unmeasured.length) {
    return {
      passed: false,
      detail: `${unmeasured.length} of ${
        slos.length
      } SLOs without data (${named(
        unmeasured,
      )}): their SLI queries answer nothing`,
      records,
    };
  }
  const least = Math.min(...slos.map(s => s.errorBudgetRemaining ?? 1));
  return {
    passed: true,
    detail: `${
      slos.length === 1 ? '1 SLO' : `${slos.length} SLOs`
    } within budget (least left ${percent(least)})`,
    records,
  };
}

/** The check, over SRE's SLOs of running components. */
export function sloCheck(deps: {
  reliability: SreReliabilityService;
  auth: AuthService;
}): ScorecardCheck {
  return {
    id: 'slo-within-budget',
    title: 'SLOs defined and within budget',
    description:
      'The service declares service-level objectives (OpenSLO) that SRE evaluates, and none has spent its error budget or lacks data.',
    level: 'gold',
    appliesTo: isRunningComponent,
    evaluate: async batch => {
      const { items } = await deps.reliability.sloBriefs(
        { entityRefs: batch.map(b => b.ref) },
        { credentials: await deps.auth.getOwnServiceCredentials() },
      );
      return new Map(
        items.map(({ entityRef, slos }) => [entityRef, sloOutcome(slos)]),
      );
    },
  };
}

/** Adds SRE's check to the SecOps scorecards. */
export const secopsModuleSreChecks = createBackendModule({
  pluginId: 'secops',
  moduleId: 'sre-checks',
  register(env) {
    env.registerInit({
      deps: {
        checks: secopsChecksExtensionPoint,
        reliability: sreReliabilityServiceRef,
        auth: coreServices.auth,
      },
      async init({ checks, reliability, auth }) {
        checks.addCheck(sloCheck({ reliability, auth }));
      },
    });
  },
});
