/*
 * The background findings of the SecOps benchmarks: many entities, each
 * with a realistic number and spread of findings (tools, severities, ages,
 * 15% fixed), bulk-inserted in large transactions.
 */
import { SEVERITIES, Severity } from '@portal/plugin-secops-common';
import { BenchDatabase } from '@portal/test-utils/bench';
import { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';

const FINDINGS = 'secops_findings';
const SCANS = 'secops_scans';

const fmtInt = (n: number) => Math.round(n).toLocaleString('en-US');

/** Inserts rows in multi-row statements (as large as the engine allows). */
export async function insertRows(
  tx: Knex | Knex.Transaction,
  table: string,
  rows: Record<string, unknown>[],
  chunk: number,
) {
  for (let i = 0; i < rows.length; i += chunk) {
    await tx(table).insert(rows.slice(i, i + chunk));
  }
}

const FILL_TOOLS = [
  { tool: 'semgrep', category: 'sast', share: 0.55 },
  { tool: 'trivy', category: 'sca', share: 0.35 },
  { tool: 'gitleaks', category: 'secret', share: 0.1 },
] as const;

const DAY = 24 * 3600 * 1000;

/** The ref of the background entity of this index (bench-fill-0042). */
export const fillEntityRef = (entityIndex: number) =>
  `component:default/bench-fill-${String(entityIndex).padStart(4, '0')}`;

/** The findings of one background entity, realistic in size and spread. */
export function fillRows(entityIndex: number, perEntity: number, now: Date) {
  const entityRef = fillEntityRef(entityIndex);
  const rows: Record<string, unknown>[] = [];
  const scans: Record<string, unknown>[] = [];
  let n = 0;
  for (const { tool, category, share } of FILL_TOOLS) {
    const count =
      tool === 'gitleaks' ? perEntity - n : Math.round(perEntity * share);
    const scanId = randomUUID();
    scans.push({
      id: scanId,
      entity_ref: entityRef,
      tool,
      format: tool === 'trivy' ? 'cyclonedx' : 'sarif',
      commit_sha: null,
      branch: 'main',
      uploaded_by: 'user:default/bench',
      report_sha256: '0'.repeat(64),
      received: count,
      created: count,
      reopened: 0,
      unchanged: 0,
      fixed: 0,
      created_at: now,
    });
    for (let k = 0; k < count; k++, n++) {
      const seq = entityIndex * perEntity + n;
      // Deterministic spread: mostly medium/low, few critical; 15% fixed.
      const h = (seq * 2654435761) >>> 0;
      const severity: Severity =
        SEVERITIES[[0, 1, 1, 2, 2, 2, 2, 3, 3, 4][h % 10]];
      const fixed = h % 100 < 15;
      const firstSeen = new Date(now.getTime() - (h % 400) * DAY);
      const rule =
        tool === 'trivy'
          ? `CVE-${2015 + (h % 11)}-${10000 + (seq % 40000)}`
          : `${tool}.rule.${h % 300}`;
      rows.push({
        entity_ref: entityRef,
        tool,
        fingerprint: `${seq.toString(16).padStart(16, '0')}${h
          .toString(16)
          .padStart(8, '0')}`.padEnd(64, 'a'),
        category,
        severity,
        severity_rank: SEVERITIES.indexOf(severity),
        rule_id: rule,
        title:
          tool === 'trivy'
            ? `${rule}: denial of service in package-${h % 900}`
            : `Finding of ${rule} in handler ${h % 97}`,
        description:
          'Untrusted data reaches a sensitive sink without validation. This is a generated description of typical length for a finding, used by the benchmark.',
        aliases: tool === 'trivy' ? JSON.stringify([rule]) : null,
        cvss_score: tool === 'trivy' ? (h % 100) / 10 : null,
        package_name: tool === 'trivy' ? `package-${h % 900}` : null,
        package_version: tool === 'trivy' ? `1.${h % 30}.0` : null,
        fixed_version: tool === 'trivy' ? `1.${(h % 30) + 1}.0` : null,
        location_path:
          tool === 'trivy'
            ? 'package-lock.json'
            : `src/module-${h % 50}/file-${seq % 400}.ts`,
        location_line: tool === 'trivy' ? null : (h % 2000) + 1,
        url: null,
        help_url: `https://example.com/rules/${rule}`,
        status: fixed ? 'fixed' : 'open',
        first_seen_at: firstSeen,
        last_seen_at: fixed ? firstSeen : now,
        fixed_at: fixed ? new Date(firstSeen.getTime() + DAY) : null,
        last_scan_id: scanId,
      });
    }
  }
  return { entityRef, rows, scans };
}

/**
 * Fills the store with FILL_ROWS findings over FILL_ENTITIES entities in
 * large transactions; stops early when the time budget is spent.
 */
export async function fillStore(
  db: BenchDatabase,
  now: Date,
  options: {
    rows: number;
    entities: number;
    budgetMs: number;
    log: (message: string) => void;
  },
) {
  const { entities: FILL_ENTITIES, budgetMs: FILL_BUDGET_MS, log } = options;
  const perEntity = Math.round(options.rows / FILL_ENTITIES);
  const chunk = Math.floor(db.maxParams / 24 / 100) * 100; // 24 columns
  const entitiesPerTx = 50;
  const start = performance.now();
  let entities = 0;
  let rows = 0;
  let stoppedEarly = false;
  while (entities < FILL_ENTITIES) {
    if (performance.now() - start > FILL_BUDGET_MS) {
      stoppedEarly = true;
      break;
    }
    const first = entities;
    const batch = Array.from(
      { length: Math.min(entitiesPerTx, FILL_ENTITIES - first) },
      (_, i) => fillRows(first + i, perEntity, now),
    );
    await db.knex.transaction(async tx => {
      for (const e of batch) {
        await insertRows(tx, FINDINGS, e.rows, chunk);
        await insertRows(tx, SCANS, e.scans, chunk);
      }
    });
    entities += batch.length;
    rows += batch.reduce((sum, e) => sum + e.rows.length, 0);
    if (entities % 500 === 0) {
      log(
        `  filled ${fmtInt(rows)} rows (${fmtInt(
          rows / ((performance.now() - start) / 1000),
        )} rows/s)`,
      );
    }
  }
  return {
    ms: performance.now() - start,
    entities,
    rows,
    perEntity,
    stoppedEarly,
  };
}
