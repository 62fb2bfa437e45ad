/*
 * The embedded default's demo spend: a year of daily cost rows for the
 * catalog's components and resources, as a cost source reports them (one
 * amount per day, tag value, service and account). Deterministic: the same
 * catalog and end day give the same rows. It includes what real bills have
 * and the views must show: weekly rhythm, growth, a recent spike (an
 * anomaly), credits, untagged spend, a tag that is not an entity ref and one
 * that names an entity the catalog does not have.
 */
import { CostRow } from '@portal/plugin-finops-node';

/** The day after (or before, for negative n) a YYYY-MM-DD day. */
export function addDays(day: string, n: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + n);
  return date.toISOString().slice(0, 10);
}

/** An entity that gets demo spend, as its ref (lower case) and kind. */
export interface DemoEntity {
  ref: string;
  kind: string;
}

const COMPUTE = [
  'Amazon Elastic Compute Cloud - Compute',
  'Amazon Elastic Container Service',
  'AWS Lambda',
  'Amazon CloudWatch',
];
const DATA = [
  'Amazon Relational Database Service',
  'Amazon Simple Storage Service',
  'Amazon ElastiCache',
];

/** A number in [0, 1) from a text, stable across runs. */
function hash01(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  h ^= h >>> 13;
  h = Math.imul(h, 0x5bd1e995);
  h ^= h >>> 15;
  return (h >>> 0) / 4294967296;
}

export interface DemoSpendOptions {
  entities: DemoEntity[];
  /** The last day of the year of spend. */
  endDay: string;
  days?: number;
  currency: string;
}

/** The first day of the demo year that ends on endDay. */
export function demoStartDay(options: { endDay: string; days?: number }) {
  return addDays(options.endDay, -((options.days ?? 365) - 1));
}

/** The demo year, day by day, as cost rows. */
export function* demoCostRows(options: DemoSpendOptions): Generator<CostRow> {
  const days = options.days ?? 365;
  const start = demoStartDay(options);
  const line = (
    day: string,
    account: string,
    category: string,
    service: string,
    amount: number,
    tagValue: string,
  ): CostRow => ({
    day,
    tagValue,
    service,
    account,
    chargeCategory: category,
    // Cents and below, as a bill's line items have them.
    amount: Math.round(amount * 10_000) / 10_000,
    currency: options.currency,
  });

  const costed = options.entities.filter(
    e => e.kind === 'component' || e.kind === 'resource',
  );
  // The costliest component gets the runaway spend: where it shows most.
  const spiking = costed
    .filter(e => e.kind === 'component')
    .sort((a, b) => hash01(b.ref) - hash01(a.ref))[0];
  for (let d = 0; d < days; d++) {
    const day = addDays(start, d);
    const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
    const weekly = weekday === 0 || weekday === 6 ? 0.75 : 1;
    for (const entity of costed) {
      const seed = hash01(entity.ref);
      const base =
        entity.kind === 'resource' ? 40 + seed * 120 : 15 + seed * 90;
      // Some services grow over the year, some shrink.
      const trend = 1 + (seed - 0.35) * (d / days);
      const account = `2222333344${String(Math.floor(seed * 90) + 10)}`;
      const services = entity.kind === 'resource' ? DATA : COMPUTE;
      const count = 2 + Math.floor(seed * (services.length - 1));
      for (let s = 0; s < count; s++) {
        const share = s === 0 ? 0.6 : 0.4 / (count - 1);
        const noise = 0.9 + hash01(`${entity.ref}|${day}|${s}`) * 0.2;
        let amount = base * trend * share * weekly * noise;
        if (entity === spiking && d >= days - 2 && s === 0) {
          amount *= 5; // a runaway autoscaling group: the demo anomaly
        }
        yield line(day, account, 'Usage', services[s], amount, entity.ref);
      }
    }
    // Shared and badly tagged spend, so the unattributed view has work.
    yield line(
      day,
      '222233334401',
      'Usage',
      'Amazon Route 53',
      6.5 * weekly,
      '',
    );
    yield line(day, '222233334401', 'Usage', 'AWS Support (Business)', 48, '');
    yield line(
      day,
      '222233334402',
      'Usage',
      'Amazon Elastic Compute Cloud - Compute',
      22 * weekly * (0.9 + hash01(`legacy|${day}`) * 0.2),
      'payments',
    );
    yield line(
      day,
      '222233334402',
      'Usage',
      'Amazon Simple Storage Service',
      9.3,
      'component:default/legacy-billing',
    );
    if (day.endsWith('-01')) {
      yield line(
        day,
        '222233334401',
        'Credit',
        'AWS Support (Business)',
        -120,
        '',
      );
    }
  }
}
