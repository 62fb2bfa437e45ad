import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { COST_COLUMNS, CostColumn } from '../focus/focus';

export interface FinopsOptions {
  /** The cost-allocation tag key whose value is the owning entity's ref. */
  tagKey: string;
  /** ISO 4217 code the portal reports in. */
  currency: string;
  /** Which FOCUS column counts. */
  focusCostColumn: CostColumn;
  maxUploadBytes: number;
  maxRows: number;
  /** Generate and import a year of demo spend (the embedded default). */
  demo: boolean;
  anomaly: {
    /** Days of history an entity's day is compared with. */
    baselineDays: number;
    /** How many times the baseline a day must reach. */
    factor: number;
    /** Smallest excess over the baseline worth an alert. */
    minimumExcess: number;
  };
}

export function readFinopsOptions(config: Config): FinopsOptions {
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
    demo: finops?.getOptionalBoolean('demo') ?? false,
    anomaly: {
      baselineDays: finops?.getOptionalNumber('anomaly.baselineDays') ?? 14,
      factor: finops?.getOptionalNumber('anomaly.factor') ?? 2,
      minimumExcess: finops?.getOptionalNumber('anomaly.minimumExcess') ?? 20,
    },
  };
}
