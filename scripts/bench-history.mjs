#!/usr/bin/env node
/*
 * Prints the last runs of a benchmark side by side, one row per run, from
 * bench/results/<name>.jsonl (each line one run's figures, as the bench:*
 * scripts append them), so that a regression shows as a row.
 *
 *   yarn bench:history costs            the last 10 runs
 *   yarn bench:history costs 20         the last 20
 *   yarn bench:history costs --database postgres
 *   yarn bench:history costs --fields commit,ratio,importPeakAboveMiB
 *
 * Without --fields it shows every field holding a number, a boolean or a
 * short string (nested objects flattened as a.b), in the order they first
 * appear.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = name => {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const [value] = args.splice(i, 2).slice(1);
  return value;
};
const fieldsOption = option('fields');
const databaseOption = option('database');
const [name, countArg] = args;

const resultsDir = path.join(root, 'bench/results');
if (!name) {
  const names = fs.existsSync(resultsDir)
    ? fs
        .readdirSync(resultsDir)
        .filter(f => f.endsWith('.jsonl'))
        .map(f => f.replace(/\.jsonl$/, ''))
    : [];
  console.error(
    `usage: yarn bench:history <name> [count] [--database sqlite|postgres] [--fields a,b]\nresults: ${
      names.join(', ') || '(none yet)'
    }`,
  );
  process.exit(2);
}
const file = path.join(resultsDir, `${name}.jsonl`);
if (!fs.existsSync(file)) {
  console.error(`No results file ${path.relative(root, file)}`);
  process.exit(1);
}
const count = Number(countArg ?? 10);

function flatten(value, prefix = '', into = {}) {
  for (const [key, v] of Object.entries(value)) {
    const at = prefix ? `${prefix}.${key}` : key;
    if (v && typeof v === 'object' && !Array.isArray(v)) flatten(v, at, into);
    else into[at] = v;
  }
  return into;
}

const runs = fs
  .readFileSync(file, 'utf8')
  .split('\n')
  .filter(line => line.trim())
  .map((line, i) => {
    try {
      return flatten(JSON.parse(line));
    } catch {
      console.error(`line ${i + 1}: not JSON, skipped`);
      return undefined;
    }
  })
  .filter(Boolean)
  .filter(run => !databaseOption || run.database === databaseOption)
  .slice(-count);
if (runs.length === 0) {
  console.log('No runs.');
  process.exit(0);
}

const show = v => {
  if (v === undefined || v === null) return '';
  if (Array.isArray(v)) return v.join(' ');
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  const text = String(v);
  // Dates: the minute is enough to tell runs apart.
  return /^\d{4}-\d{2}-\d{2}T/.test(text) ? text.slice(0, 16) : text;
};
const fields = fieldsOption
  ? fieldsOption.split(',')
  : [
      ...new Set(
        runs.flatMap(run =>
          Object.keys(run).filter(
            key =>
              key !== 'bench' &&
              (typeof run[key] !== 'string' || run[key].length <= 30),
          ),
        ),
      ),
    ];
const widths = fields.map(field =>
  Math.max(field.length, ...runs.map(run => show(run[field]).length)),
);
const row = cells =>
  `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
console.log(
  `${path.relative(root, file)}: the last ${runs.length} run(s)${
    databaseOption ? ` on ${databaseOption}` : ''
  }`,
);
console.log(row(fields));
console.log(row(widths.map(w => '-'.repeat(w))));
for (const run of runs) console.log(row(fields.map(field => show(run[field]))));
