/*
 * The arithmetic of the views: rounding, shares of a total against the
 * period before, months, the month-end forecast, and alerts as the API
 * shows them.
 */
import { CostAlert, CostShare } from '@portal/plugin-finops-common';
import { addDays } from '../database/days';
import { AmountByKey, StoredAlert } from '../database/types';

export const round = (n: number) => Math.round(n * 100) / 100;

export function toMap(rows: AmountByKey[]) {
  return new Map(rows.map(r => [r.key, r.amount]));
}

export function sum(rows: AmountByKey[]) {
  return rows.reduce((total, r) => total + r.amount, 0);
}

/** Current and previous amounts by key, biggest first. */
export function shares(
  current: AmountByKey[],
  previous: AmountByKey[],
  title?: (key: string) => string | undefined,
): CostShare[] {
  const before = toMap(previous);
  const keys = new Set([...current.map(r => r.key), ...before.keys()]);
  const now = toMap(current);
  return [...keys]
    .map(key => ({
      key,
      title: title?.(key),
      amount: round(now.get(key) ?? 0),
      previous: round(before.get(key) ?? 0),
    }))
    .filter(s => s.amount !== 0 || s.previous !== 0)
    .sort((a, b) => b.amount - a.amount || a.key.localeCompare(b.key));
}

/** Which way a cost moved between a period and the one before it. */
export type Direction = 'up' | 'down' | 'both';

/**
 * Shares by how much they moved against the period before: those that
 * grew most first (up), fell most first (down), or moved most either way
 * (both). Equal moves keep their order.
 */
export function byChange(items: CostShare[], direction: Direction) {
  const change = (s: CostShare) => s.amount - s.previous;
  if (direction === 'up') {
    return items
      .filter(s => change(s) > 0)
      .sort((a, b) => change(b) - change(a));
  }
  if (direction === 'down') {
    return items
      .filter(s => change(s) < 0)
      .sort((a, b) => change(a) - change(b));
  }
  return [...items].sort((a, b) => Math.abs(change(b)) - Math.abs(change(a)));
}

export function monthStart(day: string, monthsBack: number): string {
  const date = new Date(`${day.slice(0, 7)}-01T00:00:00Z`);
  date.setUTCMonth(date.getUTCMonth() - monthsBack);
  return date.toISOString().slice(0, 10);
}

export function daysInMonth(day: string): number {
  const date = new Date(`${day.slice(0, 7)}-01T00:00:00Z`);
  date.setUTCMonth(date.getUTCMonth() + 1);
  date.setUTCDate(0);
  return date.getUTCDate();
}

/** The first day `monthForecast` needs: the month's start or a week back. */
export function forecastFrom(to: string): string {
  const weekBack = addDays(to, -6);
  const firstOfMonth = `${to.slice(0, 7)}-01`;
  return weekBack < firstOfMonth ? weekBack : firstOfMonth;
}

/**
 * Spend so far in the month of `to`, and the month-end forecast: the last
 * seven days' daily rate run to the end of the month.
 */
export function monthForecast(daily: AmountByKey[], to: string) {
  const month = to.slice(0, 7);
  const actual = sum(daily.filter(d => d.key.startsWith(month)));
  const rate = sum(daily.filter(d => d.key >= addDays(to, -6))) / 7;
  const remaining = daysInMonth(to) - Number(to.slice(8, 10));
  return { actual, forecast: actual + rate * remaining };
}

export function presentAlert(alert: StoredAlert): CostAlert {
  return {
    id: alert.id,
    kind: alert.kind,
    ref: alert.ref,
    day: alert.day,
    amount: round(alert.amount),
    expected: round(alert.expected),
    message: alert.message,
    createdAt: alert.createdAt.toISOString(),
  };
}
