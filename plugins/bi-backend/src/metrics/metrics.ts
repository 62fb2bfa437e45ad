import { LoggerService } from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { parse } from 'csv-parse/sync';
import fs from 'node:fs/promises';
import path from 'node:path';
import knexFactory, { Knex } from 'knex';

/** A business metric and where its monthly values come from. */
export interface MetricDefinition {
  name: string;
  title: string;
  unit: string;
  source:
    | { type: 'csv'; file: string }
    | { type: 'sql'; connection: string; query: string };
}

/** One month's value of a metric for an entity. */
export interface MetricValue {
  month: string;
  entityRef: string;
  value: number;
}

export function readMetricDefinitions(config: Config): MetricDefinition[] {
  return (config.getOptionalConfigArray('bi.metrics') ?? []).map(metric => {
    const name = metric.getString('name');
    const csv = metric.getOptionalString('source.csv');
    const sql = metric.getOptionalConfig('source.sql');
    if (!csv === !sql) {
      throw new InputError(
        `bi.metrics "${name}": source needs exactly one of csv or sql`,
      );
    }
    return {
      name,
      title: metric.getOptionalString('title') ?? name,
      unit: metric.getOptionalString('unit') ?? name,
      source: csv
        ? { type: 'csv', file: csv }
        : {
            type: 'sql',
            connection: sql!.getString('connection'),
            query: sql!.getString('query'),
          },
    };
  });
}

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/** Checks and normalises one row of a metric source. */
function toValue(row: Record<string, unknown>, where: string): MetricValue {
  const month = String(row.month ?? '')
    .trim()
    .slice(0, 7);
  if (!MONTH.test(month)) {
    throw new InputError(
      `${where}: month ${JSON.stringify(
        row.month,
      )} is not a month such as 2026-10`,
    );
  }
  let entityRef: string;
  try {
    entityRef = stringifyEntityRef(
      parseEntityRef(String(row.entity ?? ''), { defaultKind: 'system' }),
    ).toLowerCase();
  } catch {
    throw new InputError(
      `${where}: entity ${JSON.stringify(row.entity)} is not an entity ref`,
    );
  }
  const value = Number(row.value);
  if (row.value === null || row.value === '' || !Number.isFinite(value)) {
    throw new InputError(
      `${where}: value ${JSON.stringify(row.value)} is not a number`,
    );
  }
  return { month, entityRef, value };
}

/**
 * Reads metric values. Sources return the columns month (YYYY-MM), entity
 * (an entity ref; a bare name means a system) and value; anything else is an
 * InputError that names the source and the row.
 */
export class MetricReader {
  private readonly connections = new Map<string, Knex>();

  constructor(
    private readonly config: Config,
    /** Where relative CSV paths start. */
    private readonly baseDir = process.cwd(),
    /** Where a warehouse's own error goes (never to the caller). */
    private readonly logger?: LoggerService,
  ) {}

  /** Uses this knex for a named connection (tests, or a shared pool). */
  setConnection(name: string, knex: Knex) {
    this.connections.set(name, knex);
  }

  private connection(name: string): Knex {
    let knex = this.connections.get(name);
    if (!knex) {
      const settings = this.config.getOptionalConfig(`bi.connections.${name}`);
      if (!settings) {
        throw new InputError(
          `There is no bi.connections.${name} for a metric's SQL source`,
        );
      }
      knex = knexFactory({
        client: settings.getString('client'),
        connection: settings.get('connection') as Knex.StaticConnectionConfig,
        useNullAsDefault: true,
        pool: { min: 0, max: 2 },
      });
      this.connections.set(name, knex);
    }
    return knex;
  }

  async read(metric: MetricDefinition): Promise<MetricValue[]> {
    const { source } = metric;
    if (source.type === 'csv') {
      const file = path.resolve(this.baseDir, source.file);
      let text: string;
      try {
        text = await fs.readFile(file, 'utf8');
      } catch (error) {
        throw new InputError(
          `Metric "${metric.name}": cannot read ${source.file}: ${
            (error as Error).message
          }`,
        );
      }
      let rows: Array<Record<string, string>>;
      try {
        rows = parse(text, {
          columns: true,
          bom: true,
          skip_empty_lines: true,
        });
      } catch (error) {
        throw new InputError(
          `Metric "${metric.name}": ${source.file} is not valid CSV: ${
            (error as Error).message
          }`,
        );
      }
      return rows.map((row, i) =>
        toValue(row, `Metric "${metric.name}", ${source.file} line ${i + 2}`),
      );
    }
    let rows: Array<Record<string, unknown>>;
    try {
      rows = await this.connection(source.connection)
        .raw(source.query)
        .then((result: any) => (Array.isArray(result) ? result : result.rows));
    } catch (error) {
      if (error instanceof InputError) throw error;
      // The driver's message can hold hosts, users and the SQL itself: it
      // goes to the backend log, and the caller learns only which metric.
      this.logger?.error(
        `Metric "${metric.name}": the warehouse query failed`,
        error as Error,
      );
      throw new InputError(
        `Metric "${metric.name}": the warehouse query failed (the backend log says why)`,
      );
    }
    return rows.map((row, i) =>
      toValue(row, `Metric "${metric.name}", query row ${i + 1}`),
    );
  }

  async close() {
    for (const knex of this.connections.values()) {
      await knex.destroy();
    }
  }
}
