import { LoggerService } from '@backstage/backend-plugin-api';
import { addDays } from '../database/days';
import { ImportRunStore } from '../database/ImportRunStore';
import { demoFocusStream } from '../focus/demoData';
import { CostCatalog } from './CostCatalog';
import { CostImporter } from './CostImporter';
import { FinopsOptions } from './options';

export const DEMO_SOURCE = 'focus:demo';

/** What the last demo load saw, kept by the caller between runs. */
export interface DemoSpendState {
  components?: number;
  /** Growth of the catalog reloads the year only this soon after start. */
  settleUntil?: number;
}

/** The catalog reads the demo organisation well within this. */
const SETTLE_MS = 10 * 60_000;

/**
 * Imports the demo year through the FOCUS import when the demo data is
 * missing or older than yesterday, or when the catalog has more components
 * than at the last load, in the first minutes after a start (it reads the
 * demo organisation in several steps, and other providers may come first).
 * Waits for the catalog to have components.
 */
export async function loadDemoSpend(deps: {
  store: ImportRunStore;
  catalog: CostCatalog;
  importer: CostImporter;
  options: FinopsOptions;
  logger: LoggerService;
  state: DemoSpendState;
  today?: string;
  now?: number;
}) {
  const today = deps.today ?? new Date().toISOString().slice(0, 10);
  const yesterday = addDays(today, -1);
  const runs = await deps.store.listImports(50);
  const last = runs.find(
    r => r.source === DEMO_SOURCE && r.status === 'succeeded',
  );
  const snapshot = await deps.catalog.snapshot();
  const entities = [...snapshot.entities.values()];
  const components = entities.filter(e => e.kind === 'component').length;
  if (!components) {
    deps.logger.info('Demo spend waits for the catalog to have components');
    return;
  }
  const now = deps.now ?? Date.now();
  deps.state.settleUntil ??= now + SETTLE_MS;
  const current = !!last?.to && last.to >= yesterday;
  // Later services (a new one from a template) get no invented history.
  const settling = now < deps.state.settleUntil;
  if (current && (deps.state.components === components || !settling)) return;
  const run = await deps.importer.importFocus({
    source: DEMO_SOURCE,
    input: demoFocusStream({
      entities,
      endDay: yesterday,
      tagKey: deps.options.tagKey,
      currency: deps.options.currency,
    }),
    requestedBy: 'service:finops-demo-spend',
  });
  deps.state.components = components;
  deps.logger.info(
    `Loaded the demo year of spend for ${components} components: ${run.rowsRead} FOCUS lines, ${run.from}…${run.to}`,
  );
}
