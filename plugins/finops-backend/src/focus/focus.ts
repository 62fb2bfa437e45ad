/*
 * FOCUS (FinOps Open Cost and Usage Specification) CSV: the billing export
 * that AWS, Azure, Google Cloud and OCI all produce. The file is read as a
 * stream and summed on the way to one row per day, tag value, service,
 * account and charge category, a batch at a time: when a batch holds
 * `batchRows` rows it is handed on (to the store) before another line is
 * read, so memory is bounded by the batch, whatever the file's size. Lines
 * of the same grain in different batches become rows of their own, whose
 * amounts add up in every view as one row would.
 */
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { CsvError, parse } from 'csv-parse';
import { Readable } from 'node:stream';
import { AttributedRow } from '../database/types';

/** The FOCUS cost columns a portal may be configured to read. */
export const COST_COLUMNS = [
  'EffectiveCost',
  'BilledCost',
  'ListCost',
  'ContractedCost',
] as const;
export type CostColumn = (typeof COST_COLUMNS)[number];

const CREDIT_CATEGORIES = new Set(['credit', 'adjustment']);
const KNOWN_CURRENCIES = new Set(
  (Intl as { supportedValuesOf?: (key: string) => string[] })
    .supportedValuesOf?.('currency')
    .map(c => c.toUpperCase()) ?? [],
);

export interface FocusOptions {
  /** The cost-allocation tag key. */
  tagKey: string;
  /** The column whose amounts count (default EffectiveCost: amortised). */
  costColumn: CostColumn;
  /** The one currency the portal reports in. */
  currency: string;
  /** Stop with an error past this many lines. */
  maxRows: number;
}

export interface FocusImport {
  rows: AttributedRow[];
  rowsRead: number;
  from?: string;
  to?: string;
}

/** What a streamed read found: lines, rows handed on and batches. */
export interface FocusStreamResult {
  rowsRead: number;
  rowsWritten: number;
  batches: number;
  from?: string;
  to?: string;
}

/**
 * The entity ref a tag value names ("component:default/payments-api",
 * "resource:orders-db"), in canonical lower case, or undefined.
 */
export function entityRefOfTag(value: string | undefined): string | undefined {
  const text = value?.trim();
  if (!text || !text.includes(':')) return undefined;
  try {
    return stringifyEntityRef(parseEntityRef(text)).toLowerCase();
  } catch {
    return undefined;
  }
}

function lineError(line: number, detail: string) {
  return new InputError(`FOCUS file, line ${line}: ${detail}`);
}

/** A day (YYYY-MM-DD, UTC) from a FOCUS date-time. */
function dayOf(value: string | undefined, line: number): string {
  const text = value?.trim() ?? '';
  const time = Date.parse(
    /^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text,
  );
  if (!text || Number.isNaN(time)) {
    throw lineError(
      line,
      `ChargePeriodStart ${JSON.stringify(
        text,
      )} is not a date-time such as 2024-01-31T00:00:00Z`,
    );
  }
  return new Date(time).toISOString().slice(0, 10);
}

/** The cost-allocation tag's value from the Tags column (a JSON object). */
function tagOf(
  tags: string | undefined,
  tagKey: string,
  line: number,
): string | undefined {
  const text = tags?.trim();
  if (!text) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw lineError(line, 'Tags is not a JSON object');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw lineError(line, 'Tags is not a JSON object');
  }
  const record = parsed as Record<string, unknown>;
  // AWS prefixes user-defined tags with "user:" in its FOCUS export.
  for (const key of [tagKey, `user:${tagKey}`]) {
    const value = Object.prototype.hasOwnProperty.call(record, key)
      ? record[key]
      : undefined;
    if (typeof value === 'string' && value.trim()) return value.trim();
  }
  return undefined;
}

/** Reads a record's fields by column name. */
function fieldReader(columns: Record<string, number>, fields: string[]) {
  return (name: string) =>
    columns[name] === undefined ? undefined : fields[columns[name]];
}

/**
 * Reads a whole FOCUS CSV into memory, summed to its grain (tests and small
 * files; imports stream it with streamFocusCsv).
 */
export async function readFocusCsv(
  input: Readable,
  options: FocusOptions,
): Promise<FocusImport> {
  const rows: AttributedRow[] = [];
  const result = await streamFocusCsv(
    input,
    options,
    async batch => {
      rows.push(...batch);
    },
    Infinity,
  );
  return { rows, rowsRead: result.rowsRead, from: result.from, to: result.to };
}

/**
 * Reads a FOCUS CSV as a stream, handing rows on in batches of at most
 * `batchRows` (summed within the batch); the next line is read only once
 * `onBatch` has finished with the batch. Throws an InputError naming the
 * line and the problem for a missing column, a malformed line, a
 * non-numeric or negative amount (negative is allowed only for credits and
 * adjustments) or a currency other than the portal's; batches handed on
 * before it are the caller's to undo (the store writes them in one
 * transaction).
 */
export async function streamFocusCsv(
  input: Readable,
  options: FocusOptions,
  onBatch: (rows: AttributedRow[]) => Promise<void>,
  batchRows: number,
): Promise<FocusStreamResult> {
  const parser = input.pipe(
    parse({
      bom: true,
      skip_empty_lines: true,
      trim: false,
      max_record_size: 1024 * 1024,
    }),
  );
  input.on('error', error => parser.destroy(error));
  // An upload cut off (the client went away) closes the input without an
  // end: fail rather than wait for lines that never come.
  input.on('close', () => {
    if (!input.readableEnded && !parser.destroyed) {
      parser.destroy(new InputError('The FOCUS file ended unexpectedly'));
    }
  });

  let sums = new Map<string, AttributedRow>();
  let rowsWritten = 0;
  let batches = 0;
  // Billing exports repeat the same dates and tag sets on every line.
  const days = new Map<string, string>();
  const tags = new Map<string, string>();
  let rowsRead = 0;
  let from: string | undefined;
  let to: string | undefined;
  let columns: Record<string, number> | undefined;
  // Records are handled synchronously as the parser has them (an async
  // iterator would cost a promise per line).
  const handle = (fields: string[]) => {
    if (!columns) {
      const header: Record<string, number> = Object.fromEntries(
        fields.map((name, i) => [name.trim(), i]),
      );
      columns = header;
      const required = [
        'ChargePeriodStart',
        'BillingCurrency',
        'ServiceName',
        options.costColumn,
      ];
      const missing = required.filter(c => !(c in header));
      if (missing.length) {
        throw new InputError(
          `The FOCUS file has no ${missing.join(
            ', ',
          )} column; its columns are ${fields.join(', ')}`,
        );
      }
      return;
    }
    rowsRead++;
    // The header is line 1 (a record with a quoted line break would
    // count as one line).
    const line = rowsRead + 1;
    if (rowsRead > options.maxRows) {
      throw new InputError(
        `The FOCUS file has more than ${options.maxRows} lines (finops.limits.maxRows)`,
      );
    }
    const field = fieldReader(columns, fields);

    const start = field('ChargePeriodStart') ?? '';
    let day = days.get(start);
    if (day === undefined) {
      day = dayOf(start, line);
      if (days.size > 10_000) days.clear();
      days.set(start, day);
    }
    const rawAmount = field(options.costColumn)?.trim() ?? '';
    const amount = rawAmount === '' ? 0 : Number(rawAmount);
    if (!Number.isFinite(amount)) {
      throw lineError(
        line,
        `${options.costColumn} ${JSON.stringify(rawAmount)} is not a number`,
      );
    }
    const chargeCategory = field('ChargeCategory')?.trim() || 'Usage';
    if (amount < 0 && !CREDIT_CATEGORIES.has(chargeCategory.toLowerCase())) {
      throw lineError(
        line,
        `${options.costColumn} is negative (${rawAmount}) on a ${chargeCategory} charge; only credits and adjustments may be negative`,
      );
    }
    const currency = field('BillingCurrency')?.trim().toUpperCase() ?? '';
    if (currency !== options.currency) {
      throw lineError(
        line,
        KNOWN_CURRENCIES.has(currency)
          ? `BillingCurrency is ${currency} but the portal reports in ${options.currency} (finops.currency); convert the file first`
          : `BillingCurrency ${JSON.stringify(
              currency,
            )} is not an ISO 4217 currency code`,
      );
    }
    const rawTags = field('Tags') ?? '';
    let tagValue = tags.get(rawTags);
    if (tagValue === undefined) {
      tagValue = tagOf(rawTags, options.tagKey, line) ?? '';
      if (tags.size > 100_000) tags.clear();
      tags.set(rawTags, tagValue);
    }
    const service = field('ServiceName')?.trim() || 'Unknown service';
    const account = field('SubAccountId')?.trim() || '';
    const key = `${day}\u0000${tagValue}\u0000${service}\u0000${account}\u0000${chargeCategory}`;
    const existing = sums.get(key);
    if (existing) {
      existing.amount += amount;
    } else {
      sums.set(key, {
        day,
        tagValue,
        entityRef: entityRefOfTag(tagValue),
        service,
        account,
        chargeCategory,
        amount,
        currency,
      });
    }
    if (!from || day < from) from = day;
    if (!to || day > to) to = day;
  };
  const flush = async () => {
    const rows = [...sums.values()];
    sums = new Map();
    batches++;
    rowsWritten += rows.length;
    await onBatch(rows);
  };
  // The parser's error, kept when nothing is waiting for it (while a batch
  // is written), and thrown at the next read.
  let failure: unknown;
  parser.on('error', error => {
    failure ??= error;
  });
  // Resolves when the parser has records again, has ended or has failed.
  const more = () =>
    new Promise<void>(resolve => {
      const done = () => {
        parser.off('readable', done);
        parser.off('end', done);
        parser.off('error', done);
        parser.off('close', done);
        resolve();
      };
      parser.on('readable', done);
      parser.on('end', done);
      parser.on('error', done);
      parser.on('close', done);
    });
  try {
    for (;;) {
      if (failure) throw failure;
      // Records are handled synchronously as the parser has them (an async
      // iterator would cost a promise per line); a full batch is written
      // before the next record is read, so the parser and the input wait.
      for (
        let fields: string[] | null = parser.read();
        fields !== null;
        fields = parser.read()
      ) {
        handle(fields);
        if (sums.size >= batchRows) await flush();
      }
      if (failure) throw failure;
      if (parser.readableEnded || parser.destroyed) break;
      await more();
    }
    if (sums.size > 0) await flush();
  } catch (error) {
    parser.destroy();
    input.destroy();
    if (error instanceof InputError) throw error;
    const { code, message } = error as { code?: string; message: string };
    // csv-parse's codes (INVALID_OPENING_QUOTE, CSV_RECORD_INCONSISTENT_...)
    // do not all start with CSV_: its error class says it.
    if (error instanceof CsvError || code?.startsWith('CSV_')) {
      throw new InputError(`The FOCUS file is not valid CSV: ${message}`);
    }
    throw error;
  }
  if (!columns || rowsRead === 0) {
    throw new InputError('The FOCUS file has no lines of cost');
  }
  return { rowsRead, rowsWritten, batches, from, to };
}
