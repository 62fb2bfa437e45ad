import { Config } from '@backstage/config';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { COST_COLUMNS, CostColumn } from '../focus/focus';

/** Shared spend split across groups. */
export interface AllocationRule {
  name: string;
  /** The shared entity (a cluster, a support plan as a resource). */
  entityRef?: string;
  /** Or: the unattributed spend of a cloud service. */
  service?: string;
  method: 'even' | 'proportional';
  /** The groups that share it (lower-case refs). */
  to: string[];
}

export interface FinopsOptions {
  /** The cost-allocation tag key whose value is the owning entity's ref. */
  tagKey: string;
  /** ISO 4217 code the portal reports in. */
  currency: string;
  /** Which FOCUS column counts. */
  focusCostColumn: CostColumn;
  maxUploadBytes: number;
  maxRows: number;
  /** Whether the figures are generated demo data (a cost source says so). */
  demo: boolean;
  allocation: AllocationRule[];
  anomaly: {
    /** Days of history an entity's day is compared with. */
    baselineDays: number;
    /** How many times the baseline a day must reach. */
    factor: number;
    /** Smallest excess over the baseline worth an alert. */
    minimumExcess: number;
  };
}

/**
 * finops.* in the configuration; `demo` when a cost source's figures are
 * generated demo data.
 */
export function readFinopsOptions(config: Config, demo = false): FinopsOptions {
  const finops = config.getOptionalConfig('finops');
  const column =
    finops?.getOptionalString('focus.costColumn') ?? 'EffectiveCost';
  if (!(COST_COLUMNS as readonly string[]).includes(column)) {
    throw new InputError(
      `finops.focus.costColumn must be one of ${COST_COLUMNS.join(', ')}`,
    );
  }
  return {
    tagKey:
      finops?.getOptionalString('costAllocationTag') ?? 'portal-entity-ref',
    currency: (finops?.getOptionalString('currency') ?? 'USD').toUpperCase(),
    focusCostColumn: column as CostColumn,
    maxUploadBytes:
      finops?.getOptionalNumber('limits.maxUploadBytes') ?? 512 * 1024 * 1024,
    maxRows: finops?.getOptionalNumber('limits.maxRows') ?? 20_000_000,
    demo,
    allocation: (finops?.getOptionalConfigArray('allocation') ?? []).map(
      readAllocationRule,
    ),
    anomaly: {
      baselineDays: finops?.getOptionalNumber('anomaly.baselineDays') ?? 14,
      factor: finops?.getOptionalNumber('anomaly.factor') ?? 2,
      minimumExcess: finops?.getOptionalNumber('anomaly.minimumExcess') ?? 20,
    },
  };
}

function readAllocationRule(rule: Config): AllocationRule {
  const name = rule.getString('name');
  const entityRef = rule.getOptionalString('match.entityRef');
  const service = rule.getOptionalString('match.service');
  if (!entityRef === !service) {
    throw new InputError(
      `finops.allocation "${name}": match needs exactly one of entityRef or service`,
    );
  }
  const method = rule.getOptionalString('method') ?? 'proportional';
  if (method !== 'even' && method !== 'proportional') {
    throw new InputError(
      `finops.allocation "${name}": method must be even or proportional`,
    );
  }
  const to = rule.getStringArray('to').map(ref => {
    try {
      return stringifyEntityRef(
        parseEntityRef(ref, { defaultKind: 'group' }),
      ).toLowerCase();
    } catch {
      throw new InputError(
        `finops.allocation "${name}": ${ref} is not a group ref`,
      );
    }
  });
  if (to.length === 0) {
    throw new InputError(`finops.allocation "${name}": to names no group`);
  }
  return {
    name,
    entityRef: entityRef
      ? stringifyEntityRef(parseEntityRef(entityRef)).toLowerCase()
      : undefined,
    service,
    method,
    to,
  };
}
