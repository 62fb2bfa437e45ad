import { LoggerService } from '@backstage/backend-plugin-api';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { ImportRun } from '@portal/plugin-finops-common';
import { CostSource, CostSourceContext } from '@portal/plugin-finops-node';
import { Readable } from 'node:stream';
import { addDays, daysBetween } from '../database/days';
import { BATCH_ROWS } from '../database/tables';
import { FinopsStores, StoredAlert } from '../database/types';
import { entityRefOfTag, streamFocusCsv } from '../focus/focus';
import { CostCatalog, ownersOf, subtreesOf } from './CostCatalog';
import { forecastFrom, monthForecast } from './figures';
import { FinopsOptions } from './options';

/** Days at the end of the data whose spend is checked for anomalies. */
const CHECKED_DAYS = 3;

/**
 * Brings cost into the store: FOCUS files and pulled sources. Every run is
 * recorded, failed ones too, and a failed run changes no data (the views
 * keep the last good data and show the failure). After a successful run,
 * new anomalies and budget overruns are stored and sent to the owners.
 */
export class CostImporter {
  constructor(
    private readonly stores: FinopsStores,
    private readonly options: FinopsOptions,
    private readonly catalog: CostCatalog,
    private readonly logger: LoggerService,
    private readonly notifications?: NotificationService,
    /** Cost rows per batch of a FOCUS import (smaller in tests). */
    private readonly batchRows = BATCH_ROWS,
  ) {}

  async importFocus(options: {
    source: string;
    input: Readable;
    requestedBy?: string;
  }): Promise<ImportRun> {
    const startedAt = new Date();
    try {
      // The file is read as a stream and written a batch at a time, in one
      // transaction: a bad line halfway leaves the stored data as it was.
      const {
        value: result,
        rowsStored,
        from,
        to,
      } = await this.stores.lines.importLines({
        source: options.source,
        produce: write =>
          streamFocusCsv(
            options.input,
            {
              tagKey: this.options.tagKey,
              costColumn: this.options.focusCostColumn,
              currency: this.options.currency,
              maxRows: this.options.maxRows,
            },
            write,
            this.batchRows,
          ),
      });
      const run = await this.stores.imports.recordImport({
        source: options.source,
        status: 'succeeded',
        startedAt: startedAt.toISOString(),
        finishedAt: new Date().toISOString(),
        rowsRead: result.rowsRead,
        rowsStored,
        from,
        to,
        requestedBy: options.requestedBy,
      });
      await this.afterImport();
      return run;
    } catch (error) {
      await this.recordFailure(options.source, startedAt, error, {
        requestedBy: options.requestedBy,
      });
      throw error;
    }
  }

  /** Runs one pulled source's refresh, recorded like an import. */
  async refreshSource(source: CostSource): Promise<ImportRun> {
    const startedAt = new Date();
    let apiCalls = 0;
    let rowsStored = 0;
    let from: string | undefined;
    let to: string | undefined;
    try {
      const context: CostSourceContext = {
        tagKey: this.options.tagKey,
        storedDays: () => this.stores.lines.storedDays(source.id),
        replaceDays: async (dayFrom, dayTo, rows) => {
          rowsStored += await this.stores.lines.replaceDays({
            source: source.id,
            from: dayFrom,
            to: dayTo,
            rows: rows.map(row => ({
              ...row,
              entityRef: entityRefOfTag(row.tagValue),
            })),
            trackDays: { fetchedAt: new Date() },
          });
          if (!from || dayFrom < from) from = dayFrom;
          if (!to || dayTo > to) to = dayTo;
        },
        countApiCall: () => {
          apiCalls++;
        },
      };
      await source.refresh(context);
      if (source.recommendations) {
        // Advice, not data: a failure here does not fail the refresh.
        try {
          await this.stores.recommendations.replaceRecommendations(
            source.id,
            await source.recommendations(context),
            new Date(),
          );
        } catch (error) {
          this.logger.warn(
            `Cost source ${source.id}: recommendations failed: ${
              (error as Error).message
            }`,
          );
        }
      }
      this.logger.info(
        `Cost source ${
          source.id
        }: ${apiCalls} API calls, ${rowsStored} rows for ${from ?? 'no days'}…${
          to ?? ''
        }`,
      );
      const run = await this.stores.imports.recordImport({
        source: source.id,
        status: 'succeeded',
        startedAt: startedAt.toISOString(),
        finishedAt: new Date().toISOString(),
        rowsRead: rowsStored,
        rowsStored,
        from,
        to,
        apiCalls,
      });
      if (rowsStored > 0) await this.afterImport();
      return run;
    } catch (error) {
      await this.recordFailure(source.id, startedAt, error, { apiCalls });
      throw error;
    }
  }

  private async recordFailure(
    source: string,
    startedAt: Date,
    error: unknown,
    extra: { requestedBy?: string; apiCalls?: number },
  ) {
    await this.stores.imports.recordImport({
      source,
      status: 'failed',
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      rowsRead: 0,
      rowsStored: 0,
      error: (error as Error).message ?? String(error),
      ...extra,
    });
  }

  private async afterImport() {
    try {
      const alerts = [
        ...(await this.detectAnomalies()),
        ...(await this.checkBudgets()),
      ];
      await this.notify(alerts);
    } catch (error) {
      this.logger.warn(
        `Cost alerts could not be checked: ${(error as Error).message}`,
      );
    }
  }

  /**
   * A day of an entity is an anomaly when it costs more than `factor` times
   * the entity's average over the `baselineDays` before it, and at least
   * `minimumExcess` more.
   */
  async detectAnomalies(): Promise<StoredAlert[]> {
    const last = await this.stores.lines.lastDay();
    if (!last) return [];
    const { baselineDays, factor, minimumExcess } = this.options.anomaly;
    const from = addDays(last, -(baselineDays + CHECKED_DAYS));
    const rows = await this.stores.entities.dailyByEntity(from, last);
    const byEntity = new Map<string, Map<string, number>>();
    for (const row of rows) {
      const days = byEntity.get(row.entityRef) ?? new Map<string, number>();
      days.set(row.day, row.amount);
      byEntity.set(row.entityRef, days);
    }
    const snapshot = await this.catalog.snapshot();
    const found: Array<Omit<StoredAlert, 'id'>> = [];
    for (const [entityRef, days] of byEntity) {
      const entity = snapshot.entities.get(entityRef);
      if (!entity?.ownerRef) continue;
      for (const day of daysBetween(addDays(last, -(CHECKED_DAYS - 1)), last)) {
        const amount = days.get(day) ?? 0;
        const history = daysBetween(
          addDays(day, -baselineDays),
          addDays(day, -1),
        ).map(d => days.get(d) ?? 0);
        const average = history.reduce((a, b) => a + b, 0) / history.length;
        if (amount > average * factor && amount - average >= minimumExcess) {
          found.push({
            kind: 'anomaly',
            ref: entityRef,
            ownerRef: entity.ownerRef,
            day,
            amount,
            expected: average,
            message: `${entity.title} cost ${amount.toFixed(2)} ${
              this.options.currency
            } on ${day}, ${(amount / Math.max(average, 0.01)).toFixed(
              1,
            )}× its ${baselineDays}-day average of ${average.toFixed(2)}`,
            createdAt: new Date(),
          });
        }
      }
    }
    return this.stores.alerts.addAlerts(found);
  }

  /** A group whose month-end forecast passes its budget, once a month. */
  async checkBudgets(): Promise<StoredAlert[]> {
    const last = await this.stores.lines.lastDay();
    const budgets = await this.stores.budgets.getBudgets();
    if (!last || budgets.length === 0) return [];
    const snapshot = await this.catalog.snapshot();
    await this.stores.rollups.syncOwners(
      ownersOf(snapshot),
      subtreesOf(snapshot),
    );
    const month = last.slice(0, 7);
    const monthStart = `${month}-01`;
    const found: Array<Omit<StoredAlert, 'id'>> = [];
    for (const budget of budgets) {
      const owners = snapshot.tree.withDescendants(budget.groupRef);
      const daily = await this.stores.rollups.dailyTotals(
        { ownerRefs: owners },
        forecastFrom(last),
        last,
      );
      const { forecast } = monthForecast(daily, last);
      if (forecast > budget.monthlyAmount) {
        const title =
          snapshot.tree.get(budget.groupRef)?.title ?? budget.groupRef;
        found.push({
          kind: 'budget',
          ref: budget.groupRef,
          ownerRef: budget.groupRef,
          day: monthStart,
          amount: forecast,
          expected: budget.monthlyAmount,
          message: `${title} is on course to spend ${forecast.toFixed(0)} ${
            this.options.currency
          } in ${month}, over its budget of ${budget.monthlyAmount.toFixed(0)}`,
          createdAt: new Date(),
        });
      }
    }
    return this.stores.alerts.addAlerts(found);
  }

  private async notify(alerts: StoredAlert[]) {
    if (!this.notifications) return;
    for (const alert of alerts) {
      const [kind, namespace, name] = alert.ref.split(/[:/]/);
      await this.notifications.send({
        recipients: { type: 'entity', entityRef: alert.ownerRef },
        payload: {
          title:
            alert.kind === 'anomaly'
              ? 'Unusual cloud spend'
              : 'Cloud budget will be exceeded',
          description: alert.message,
          link: `/catalog/${namespace}/${kind}/${name}/cost`,
          severity: 'high',
          topic: `finops-${alert.kind}`,
        },
      });
    }
  }
}
