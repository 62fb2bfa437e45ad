/*
 * FOCUS (FinOps Open Cost and Usage Specification) CSV: the billing export
 * that AWS, Azure, Google Cloud and OCI all produce. The file is read as a
 * stream and summed on the way to one row per day, tag value, service,
 * account and charge category, so memory grows with that grain, not with
 * the file.
 */
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { parse } from 'csv-parse';
import { Readable } from 'node:stream';
import { AttributedRow } from '../database/FinopsStore';

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

/**
 * Reads a FOCUS CSV. Throws an InputError naming the line and the problem
 * for a missing column, a malformed line, a non-numeric or negative amount
 * (negative is allowed only for credits and adjustments) or a currency other
 * than the portal's.
 */
export async function readFocusCsv(
  input: Readable,
  options: FocusOptions,
): Promise<FocusImport> {
  const parser = input.pipe(
    parse({
      bom: true,
      columns: true,
      skip_empty_lines: true,
      trim: false,
      max_record_size: 1024 * 1024,
      info: true,
    }),
  );
  input.on('error', error => parser.destroy(error));

  const sums = new Map<string, AttributedRow>();
  let rowsRead = 0;
  let from: string | undefined;
  let to: string | undefined;
  let checkedColumns = false;
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: Record<string, string>;
      info: { lines: number };
    }>) {
      const line = info.lines;
      if (!checkedColumns) {
        const required = [
          'ChargePeriodStart',
          'BillingCurrency',
          'ServiceName',
          options.costColumn,
        ];
        const missing = required.filter(c => !(c in record));
        if (missing.length) {
          throw new InputError(
            `The FOCUS file has no ${missing.join(
              ', ',
            )} column; its columns are ${Object.keys(record).join(', ')}`,
          );
        }
        checkedColumns = true;
      }
      rowsRead++;
      if (rowsRead > options.maxRows) {
        throw new InputError(
          `The FOCUS file has more than ${options.maxRows} lines (finops.limits.maxRows)`,
        );
      }
      const day = dayOf(record.ChargePeriodStart, line);
      const rawAmount = record[options.costColumn]?.trim() ?? '';
      const amount = rawAmount === '' ? 0 : Number(rawAmount);
      if (!Number.isFinite(amount)) {
        throw lineError(
          line,
          `${options.costColumn} ${JSON.stringify(rawAmount)} is not a number`,
        );
      }
      const chargeCategory = record.ChargeCategory?.trim() || 'Usage';
      if (amount < 0 && !CREDIT_CATEGORIES.has(chargeCategory.toLowerCase())) {
        throw lineError(
          line,
          `${options.costColumn} is negative (${rawAmount}) on a ${chargeCategory} charge; only credits and adjustments may be negative`,
        );
      }
      const currency = record.BillingCurrency?.trim().toUpperCase() ?? '';
      if (!KNOWN_CURRENCIES.has(currency)) {
        throw lineError(
          line,
          `BillingCurrency ${JSON.stringify(
            currency,
          )} is not an ISO 4217 currency code`,
        );
      }
      if (currency !== options.currency) {
        throw lineError(
          line,
          `BillingCurrency is ${currency} but the portal reports in ${options.currency} (finops.currency); convert the file first`,
        );
      }
      const tagValue = tagOf(record.Tags, options.tagKey, line) ?? '';
      const service = record.ServiceName?.trim() || 'Unknown service';
      const account = record.SubAccountId?.trim() || '';
      const key = [day, tagValue, service, account, chargeCategory].join(
        '\u0000',
      );
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
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    const { code, message } = error as { code?: string; message: string };
    if (code?.startsWith('CSV_')) {
      throw new InputError(`The FOCUS file is not valid CSV: ${message}`);
    }
    throw error;
  }
  if (!checkedColumns) {
    throw new InputError('The FOCUS file has no lines of cost');
  }
  return { rows: [...sums.values()], rowsRead, from, to };
}
