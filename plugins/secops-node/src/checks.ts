import { createExtensionPoint } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';

/** The levels of a scorecard, lowest first. */
export const SCORECARD_LEVELS = ['bronze', 'silver', 'gold'] as const;
export type ScorecardLevel = (typeof SCORECARD_LEVELS)[number];

/**
 * Components that run (spec.type service or website), and so have
 * objectives, cloud spend and workloads: what the checks over SRE, FinOps
 * and Kubernetes data apply to.
 */
export function isRunningComponent(entity: Entity): boolean {
  const type = String(entity.spec?.type ?? '').toLowerCase();
  return (
    entity.kind.toLowerCase() === 'component' &&
    (type === 'service' || type === 'website')
  );
}

/** What a check found for one entity. */
export interface CheckOutcome {
  passed: boolean;
  /** What was found, in a sentence ("last scan 3 days ago"). */
  detail: string;
  /**
   * The ids of the records the outcome rests on (scans, findings,
   * exemptions), for auditors' evidence.
   */
  records?: string[];
  /**
   * The check could not tell (what it reads could not be read): the
   * outcome is not recorded and counts neither for nor against the entity,
   * as for a check that does not apply to it; `passed` is not looked at.
   */
  unknown?: boolean;
}

/**
 * One standard every service is measured against, over any plugin's data:
 * checks are code, registered by the plugin (or module) that owns the data
 * through `secopsChecksExtensionPoint`.
 */
export interface ScorecardCheck {
  /** Stable id, lower case with dashes: results are stored under it. */
  id: string;
  title: string;
  /** What it asks of a service and how to pass it. */
  description: string;
  /** The level it belongs to: a service at silver passes every bronze and silver check. */
  level: ScorecardLevel;
  /** Whether it applies to the entity (all components when left out). */
  appliesTo?(entity: Entity): boolean;
  /**
   * Evaluates many entities at once (by entity ref, lower case, as
   * stringifyEntityRef gives it). An entity left out of the answer is
   * recorded as failed ("no result"); one whose outcome is `unknown` is
   * not recorded.
   */
  evaluate(
    entities: Array<{ ref: string; entity: Entity }>,
    context: { now: Date },
  ): Promise<Map<string, CheckOutcome>>;
}

/** Where plugins and modules add their checks to the scorecards. */
export interface SecopsChecksExtensionPoint {
  addCheck(check: ScorecardCheck): void;
}

export const secopsChecksExtensionPoint =
  createExtensionPoint<SecopsChecksExtensionPoint>({
    id: 'secops.checks',
  });
