import { LoggerService } from '@backstage/backend-plugin-api';
import { addDays, FinopsStore } from '../database/FinopsStore';
import { demoFocusStream } from '../focus/demoData';
import { CostCatalog } from './CostCatalog';
import { CostImporter } from './CostImporter';
import { FinopsOptions } from './options';

export const DEMO_SOURCE = 'focus:demo';

/**
 * Imports the demo year through the FOCUS import when the demo data is
 * missing or older than yesterday. Waits for the catalog to have entities.
 */
export async function loadDemoSpend(deps: {
  store: FinopsStore;
  catalog: CostCatalog;
  importer: CostImporter;
  options: FinopsOptions;
  logger: LoggerService;
  today?: string;
}) {
  const today = deps.today ?? new Date().toISOString().slice(0, 10);
  const yesterday = addDays(today, -1);
  const runs = await deps.store.listImports(50);
  const last = runs.find(
    r => r.source === DEMO_SOURCE && r.status === 'succeeded',
  );
  if (last?.to && last.to >= yesterday) return;
  const snapshot = await deps.catalog.snapshot();
  const entities = [...snapshot.entities.values()];
  if (!entities.some(e => e.kind === 'component')) {
    deps.logger.info('Demo spend waits for the catalog to have components');
    return;
  }
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
  deps.logger.info(
    `Loaded the demo year of spend: ${run.rowsRead} FOCUS lines, ${run.from}…${run.to}`,
  );
}
