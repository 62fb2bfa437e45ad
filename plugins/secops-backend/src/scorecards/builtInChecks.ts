/*
 * The scorecard checks the SecOps backend brings, over the catalog and its
 * own data. Other plugins add theirs through secopsChecksExtensionPoint.
 */
import { Entity } from '@backstage/catalog-model';
import { GatePolicy } from '@portal/plugin-secops-common';
import {
  CheckOutcome,
  isRunningComponent,
  ScorecardCheck,
} from '@portal/plugin-secops-node';
import {
  ApprovedExemption,
  ExemptionStore,
  FindingStore,
  GateDecisionStore,
} from '../database/types';
import { DastExposureService } from '../service/DastExposure';
import { gateOutcomes } from '../service/gates';
import { KUBERNETES_ID_ANNOTATION } from '../service/kubernetesClusters';
import {
  admissionProblems,
  COST_ENTITY_LABEL,
  KubernetesWorkloads,
  OWNER_LABEL,
  SECURITY_SIDECAR,
  workloadName,
} from '../service/KubernetesWorkloads';
import { overdueCutoffs, SecopsOptions } from '../service/options';

const DAY_MS = 24 * 3600 * 1000;
/** A scan older than this many days no longer counts as fresh. */
export const FRESH_SCAN_DAYS = 14;

const TECHDOCS_ANNOTATION = 'backstage.io/techdocs-ref';

type Batch = Array<{ ref: string; entity: Entity }>;

function outcomes(
  batch: Batch,
  decide: (item: { ref: string; entity: Entity }) => CheckOutcome,
) {
  return new Map(batch.map(item => [item.ref, decide(item)]));
}

const plural = (n: number, one: string, many = `${one}s`) =>
  `${n} ${n === 1 ? one : many}`;

/**
 * The golden-path admission policy's labels on what runs: each workload
 * labelled with the entity's kubernetes id carries the owner and
 * cost-entity labels (agreeing with the catalog) and the security sidecar.
 * A workload read without them fails the service; while a cluster cannot
 * be read (unreachable, 5xx, its token refused), a service nothing read
 * fails cannot be told (its workloads may be there): not evaluated.
 */
export function admissionLabelsCheck(
  workloads: KubernetesWorkloads,
): ScorecardCheck {
  return {
    id: 'admission-labels',
    title: 'Admission labels present',
    description: `Every workload labelled with the service's ${KUBERNETES_ID_ANNOTATION} carries the golden-path admission policy's ${OWNER_LABEL} and ${COST_ENTITY_LABEL} labels (on itself and its pod template, agreeing with the catalog) and the ${SECURITY_SIDECAR} container.`,
    level: 'silver',
    appliesTo: entity =>
      isRunningComponent(entity) &&
      !!entity.metadata.annotations?.[KUBERNETES_ID_ANNOTATION],
    evaluate: async batch => {
      const { byId, unreadable } = await workloads.byKubernetesId();
      const read = workloads.clusterNames.filter(c => !unreadable.includes(c));
      const unread = unreadable.length
        ? `${unreadable.join(', ')} could not be read`
        : undefined;
      // Nothing read fails it, but what could not be read might.
      const cannotTell = (outcome: CheckOutcome): CheckOutcome =>
        unread
          ? {
              ...outcome,
              passed: false,
              unknown: true,
              detail: read.length
                ? `could not tell: ${unread} (${outcome.detail})`
                : `could not tell: ${unread}`,
            }
          : outcome;
      return outcomes(batch, ({ ref, entity }) => {
        const id = entity.metadata.annotations![KUBERNETES_ID_ANNOTATION];
        const found = byId.get(id) ?? [];
        if (!found.length) {
          return cannotTell({
            passed: false,
            detail: `no workload labelled ${KUBERNETES_ID_ANNOTATION}=${id} in ${read.join(
              ', ',
            )}`,
          });
        }
        const records = found.map(w => `workload:${workloadName(w)}`);
        const problems = found.flatMap(w =>
          admissionProblems(w, entity, ref).map(
            p => `${workloadName(w)}: ${p}`,
          ),
        );
        if (problems.length) {
          const shown = problems.slice(0, 3).join('; ');
          const more = problems.length - 3;
          return {
            passed: false,
            detail: `${more > 0 ? `${shown}; and ${more} more` : shown}${
              unread ? ` (${unread})` : ''
            }`,
            records,
          };
        }
        return cannotTell({
          passed: true,
          detail: `${plural(
            found.length,
            'workload',
          )} with the admission labels and the ${SECURITY_SIDECAR}`,
          records,
        });
      });
    },
  };
}

/**
 * The exemptions a service relies on: every open finding it keeps open
 * under an exemption has one approved by the security team and unexpired.
 * An exemption that lapsed while its finding is still open fails it until
 * the finding is fixed or a new exemption approved.
 */
export function exemptionsCurrentCheck(
  exemptions: Pick<ExemptionStore, 'approvedOnOpenFindings'>,
): ScorecardCheck {
  const day = (d: Date) => d.toISOString().slice(0, 10);
  return {
    id: 'exemptions-current',
    title: 'Exemptions approved and unexpired',
    description:
      'Every open finding the service keeps under an exemption has one approved by the security team that has not expired: fix a finding whose exemption lapsed, or ask for a new one.',
    level: 'silver',
    evaluate: async (batch, { now }) => {
      const approved = await exemptions.approvedOnOpenFindings(
        batch.map(b => b.ref),
      );
      return outcomes(batch, ({ ref }) => {
        const list = approved.get(ref) ?? [];
        if (!list.length)
          return { passed: true, detail: 'no exemptions in use' };
        const records = list.map(e => `exemption:${e.id}`);
        const byFinding = new Map<string, ApprovedExemption[]>();
        for (const e of list) {
          byFinding.set(e.findingId, [
            ...(byFinding.get(e.findingId) ?? []),
            e,
          ]);
        }
        const active = (e: ApprovedExemption) => e.expiresAt > now;
        const lapsed = [...byFinding.values()].filter(es => !es.some(active));
        if (lapsed.length) {
          const last = lapsed
            .flat()
            .reduce((a, b) => (a.expiresAt > b.expiresAt ? a : b));
          return {
            passed: false,
            detail: `${plural(
              lapsed.length,
              'open finding',
            )} whose exemption expired (the latest on ${day(
              last.expiresAt,
            )}): fix or ask again`,
            records,
          };
        }
        const current = list.filter(active);
        const deciders = [...new Set(current.map(e => e.decidedBy))].join(', ');
        return {
          passed: true,
          detail: `${plural(byFinding.size, 'finding')} exempted until ${day(
            current[0].expiresAt,
          )} at the earliest, approved by ${deciders}`,
          records,
        };
      });
    },
  };
}

export function builtInChecks(deps: {
  findings: FindingStore;
  exemptions: Pick<ExemptionStore, 'approvedOnOpenFindings'>;
  gateDecisions: Pick<GateDecisionStore, 'lastPipelineDecisions'>;
  exposure: DastExposureService;
  gates: () => Promise<GatePolicy[]>;
  options: SecopsOptions;
  /** The clusters' workloads, when the Kubernetes plugin names clusters. */
  workloads?: KubernetesWorkloads;
}): ScorecardCheck[] {
  const { findings } = deps;
  return [
    ...(deps.workloads?.configured
      ? [admissionLabelsCheck(deps.workloads)]
      : []),
    exemptionsCurrentCheck(deps.exemptions),
    {
      id: 'owner-and-docs',
      title: 'Has an owner and docs',
      description:
        'The catalog names an owner (spec.owner) and the entity publishes TechDocs (the backstage.io/techdocs-ref annotation).',
      level: 'bronze',
      evaluate: async batch =>
        outcomes(batch, ({ entity }) => {
          const owner = entity.spec?.owner;
          const docs = entity.metadata.annotations?.[TECHDOCS_ANNOTATION];
          const missing = [
            owner ? undefined : 'no owner',
            docs ? undefined : 'no TechDocs',
          ].filter(Boolean);
          return missing.length
            ? { passed: false, detail: missing.join(' and ') }
            : { passed: true, detail: `owned by ${owner}, with TechDocs` };
        }),
    },
    {
      id: 'scans-fresh',
      title: `Scanned in the last ${FRESH_SCAN_DAYS} days`,
      description: `A security report (any scanner) was uploaded for the entity within ${FRESH_SCAN_DAYS} days: the pipeline scans on every build.`,
      level: 'bronze',
      evaluate: async (batch, { now }) => {
        const last = await findings.lastScans(batch.map(b => b.ref));
        return outcomes(batch, ({ ref }) => {
          const at = last.get(ref);
          if (!at) return { passed: false, detail: 'never scanned' };
          const days = Math.floor((now.getTime() - at.getTime()) / DAY_MS);
          return {
            passed: days <= FRESH_SCAN_DAYS,
            detail: `last scan ${at.toISOString().slice(0, 10)} (${plural(
              days,
              'day',
            )} ago)`,
          };
        });
      },
    },
    {
      id: 'no-overdue-critical',
      title: 'No overdue critical finding',
      description:
        'No open critical finding is past its SLA (secops.sla.critical), exemptions aside.',
      level: 'silver',
      evaluate: async (batch, { now }) => {
        const cutoff = overdueCutoffs(deps.options, now).critical;
        const counts = cutoff
          ? await findings.countForGateOf(
              batch.map(b => b.ref),
              { severity: 'critical', firstSeenBefore: cutoff, now },
            )
          : new Map<string, number>();
        return outcomes(batch, ({ ref }) => {
          const n = counts.get(ref) ?? 0;
          return {
            passed: n === 0,
            detail: n
              ? `${plural(n, 'critical finding')} past the SLA`
              : 'none past the SLA',
          };
        });
      },
    },
    {
      id: 'gate-passing',
      title: 'Release gate passing',
      description:
        "The entity's release gate (the security team's gate policy for it) passes now.",
      level: 'silver',
      evaluate: async (batch, { now }) => {
        const results = await gateOutcomes(
          findings,
          batch.map(b => b.entity),
          await deps.gates(),
          now,
        );
        return new Map(
          batch.map(({ ref }, i) => [
            ref,
            {
              passed: results[i].passed,
              detail: `gate "${results[i].gate}" ${
                results[i].passed ? 'passes' : 'fails'
              }`,
            },
          ]),
        );
      },
    },
    {
      id: 'gate-enforced',
      title: 'Gate enforced in the pipeline',
      description: `The pipeline asked the release gate (POST /api/secops/gate from CI) within ${FRESH_SCAN_DAYS} days: the gate decides what ships, not only what the page shows.`,
      level: 'silver',
      evaluate: async (batch, { now }) => {
        const last = await deps.gateDecisions.lastPipelineDecisions(
          batch.map(b => b.ref),
        );
        return outcomes(batch, ({ ref }) => {
          const at = last.get(ref);
          if (!at) {
            return {
              passed: false,
              detail: 'the pipeline never asked the gate',
            };
          }
          const days = Math.floor((now.getTime() - at.getTime()) / DAY_MS);
          return {
            passed: days <= FRESH_SCAN_DAYS,
            detail: `the pipeline last asked the gate on ${at
              .toISOString()
              .slice(0, 10)} (${plural(days, 'day')} ago)`,
          };
        });
      },
    },
    {
      id: 'dast-internet-facing',
      title: 'DAST for internet-facing services',
      description:
        'An internet-facing service (annotation portal.io/internet-facing, or a Kubernetes Ingress) had a DAST scan within secops.exposure.dastMaxAgeDays.',
      level: 'silver',
      evaluate: async (batch, { now }) => {
        const exposures = await deps.exposure.exposures(batch, now);
        return outcomes(batch, ({ ref }) => {
          const exposure = exposures.get(ref);
          if (!exposure) return { passed: true, detail: 'not internet-facing' };
          return exposure.dastMissing
            ? {
                passed: false,
                detail: `internet-facing (${exposure.reasons.join(
                  '; ',
                )}), no DAST scan in ${exposure.dastMaxAgeDays} days`,
              }
            : {
                passed: true,
                detail: `internet-facing, DAST on ${exposure.lastDastScanAt?.slice(
                  0,
                  10,
                )}`,
              };
        });
      },
    },
    {
      id: 'no-known-exploited',
      title: 'No known-exploited vulnerability',
      description:
        "No open finding's CVE is in CISA's Known Exploited Vulnerabilities catalog.",
      level: 'gold',
      evaluate: async (batch, { now }) => {
        const counts = await findings.countForEntities(
          batch.map(b => b.ref),
          overdueCutoffs(deps.options, now),
        );
        return outcomes(batch, ({ ref }) => {
          const n = counts.get(ref)?.knownExploited ?? 0;
          return {
            passed: n === 0,
            detail: n ? `${plural(n, 'known-exploited finding')} open` : 'none',
          };
        });
      },
    },
    {
      id: 'no-open-high',
      title: 'No open critical or high finding',
      description:
        'Every critical and high finding is fixed (or exempted by the security team).',
      level: 'gold',
      evaluate: async (batch, { now }) => {
        const counts = await findings.countForGateOf(
          batch.map(b => b.ref),
          { severity: 'high', now },
        );
        return outcomes(batch, ({ ref }) => {
          const n = counts.get(ref) ?? 0;
          return {
            passed: n === 0,
            detail: n
              ? `${plural(n, 'critical or high finding')} open`
              : 'none open',
          };
        });
      },
    },
  ];
}
