/*
 * Days, weeks and months as the roll-ups key them (YYYY-MM-DD, YYYY-MM;
 * weeks by their Monday), in TypeScript and, for the weekly roll-up, SQL.
 */
import { Knex } from 'knex';

/** Every day from `from` to `to`, inclusive (YYYY-MM-DD). */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  const end = Date.parse(`${to}T00:00:00Z`);
  for (
    let t = Date.parse(`${from}T00:00:00Z`);
    t <= end && days.length < 5000;
    t += 86_400_000
  ) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

/** The months (YYYY-MM) from the month of `from` to that of `to`. */
export function monthsOf(from: string, to: string): string[] {
  const months: string[] = [];
  const date = new Date(`${from.slice(0, 7)}-01T00:00:00Z`);
  while (
    date.toISOString().slice(0, 7) <= to.slice(0, 7) &&
    months.length < 600
  ) {
    months.push(date.toISOString().slice(0, 7));
    date.setUTCMonth(date.getUTCMonth() + 1);
  }
  return months;
}

/** The Monday of a day's week (weeks run Monday to Sunday). */
export function mondayOf(day: string): string {
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay(); // 0 = Sunday
  return addDays(day, -((weekday + 6) % 7));
}

/**
 * The whole weeks within a period, as the Mondays of the first and the
 * last (weekFrom > weekTo when there is none).
 */
export function wholeWeeks(from: string, to: string) {
  const monday = mondayOf(from);
  const weekFrom = monday === from ? from : addDays(monday, 7);
  const weekTo = addDays(mondayOf(addDays(to, 1)), -7);
  return { weekFrom, weekTo };
}

/** mondayOf in SQL, of the column `day`. */
export function mondaySql(knex: Knex): string {
  return knex.client.config.client === 'pg'
    ? "to_char(date_trunc('week', day::date), 'YYYY-MM-DD')"
    : "date(day, 'weekday 0', '-6 days')";
}

/** The day `n` days after (or before, when negative) a day. */
export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000)
    .toISOString()
    .slice(0, 10);
}
