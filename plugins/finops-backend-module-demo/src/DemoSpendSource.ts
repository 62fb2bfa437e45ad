import { LoggerService } from '@backstage/backend-plugin-api';
import { CostSource, CostSourceContext } from '@portal/plugin-finops-node';
import { addDays, DemoEntity, demoCostRows, demoStartDay } from './demoSpend';

/**
 * The id the demo year is stored under. It came through the FOCUS import
 * before it was a cost source: a data folder from then has its year
 * replaced, not doubled.
 */
export const DEMO_SOURCE_ID = 'focus:demo';

/** After a start, the catalog reads the demo organisation well within this. */
const SETTLE_MS = 10 * 60_000;
/** How often the catalog is read while it settles. */
const POLL_MS = 15_000;
/** Reads of the same number of components that count as settled. */
const STABLE_READS = 4;

export interface DemoSpendSourceOptions {
  /** The catalog's components and resources. */
  readEntities(): Promise<DemoEntity[]>;
  currency: string;
  logger: LoggerService;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * The embedded default's demo spend as a cost source: a generated year for
 * the catalog's components and resources, ending yesterday. Soon after a
 * start it waits for the catalog to have components and loads the year
 * again while the catalog grows (it reads the demo organisation in several
 * steps, and other providers may come first); later refreshes load the year
 * again only when it no longer ends yesterday. Services added later get no
 * invented history.
 */
export class DemoSpendSource implements CostSource {
  readonly id = DEMO_SOURCE_ID;
  readonly description =
    'A generated year of spend for the demo organisation (the embedded default)';
  readonly demo = true;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly settleUntil: number;
  /** The components the year was last generated for, in this process. */
  private loadedFor?: number;

  constructor(private readonly options: DemoSpendSourceOptions) {
    this.now = options.now ?? Date.now;
    this.sleep =
      options.sleep ?? (ms => new Promise(resolve => setTimeout(resolve, ms)));
    this.settleUntil = this.now() + SETTLE_MS;
  }

  async refresh(context: CostSourceContext): Promise<void> {
    const yesterday = addDays(
      new Date(this.now()).toISOString().slice(0, 10),
      -1,
    );
    let current = (await context.storedDays()).some(d => d.day >= yesterday);
    let stableReads = 0;
    for (;;) {
      const entities = await this.options.readEntities();
      const components = entities.filter(e => e.kind === 'component').length;
      const settling = this.now() < this.settleUntil;
      if (components === 0) {
        this.options.logger.info(
          'Demo spend waits for the catalog to have components',
        );
      } else if (!current || (settling && components !== this.loadedFor)) {
        await this.load(context, entities, yesterday);
        this.loadedFor = components;
        current = true;
        stableReads = 0;
      } else {
        stableReads++;
      }
      if (!settling || stableReads >= STABLE_READS) return;
      await this.sleep(POLL_MS);
    }
  }

  private async load(
    context: CostSourceContext,
    entities: DemoEntity[],
    endDay: string,
  ) {
    const rows = [
      ...demoCostRows({
        entities,
        endDay,
        currency: this.options.currency,
      }),
    ];
    const from = demoStartDay({ endDay });
    await context.replaceDays(from, endDay, rows);
    const components = entities.filter(e => e.kind === 'component').length;
    this.options.logger.info(
      `Loaded the demo year of spend for ${components} components: ${rows.length} rows, ${from}…${endDay}`,
    );
  }
}
