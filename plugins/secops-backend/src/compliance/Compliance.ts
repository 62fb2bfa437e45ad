/*
 * Continuous compliance: frameworks (SOC 2, HITRUST CSF, or an
 * organisation's own) as data files that map each control to scorecard
 * checks. An entity passes a control on a day when every result of the
 * control's checks passed that day; a control's pass rate over a set of
 * entities (one, a team's, the organisation's) is the share that pass,
 * with its history by day. The evidence export gives auditors every result
 * behind each control with its time and the ids of its records, as JSON and
 * CSV, with a SHA-256 manifest, in one archive.
 */
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { InputError, NotFoundError } from '@backstage/errors';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { ControlQueries, dayOf } from '../database/ScorecardStore';
import { tarGz } from './tarball';

const DAY_MS = 24 * 3600 * 1000;
/** Days of history a control shows. */
const HISTORY_DAYS = 30;

export interface ComplianceControl {
  id: string;
  title: string;
  description: string;
  checks: string[];
}

export interface ComplianceFramework {
  id: string;
  title: string;
  version?: string;
  controls: ComplianceControl[];
}

/** The frameworks the portal ships (compliance/ in this package). */
export function builtInFrameworkFiles(): string[] {
  const dir = resolvePackagePath('@portal/plugin-secops-backend', 'compliance');
  return fs
    .readdirSync(dir)
    .filter(name => name.endsWith('.yaml'))
    .sort()
    .map(name => path.join(dir, name));
}

const text = (value: unknown, where: string): string => {
  if (typeof value !== 'string' || !value.trim()) {
    throw new Error(`${where} must be a non-empty string`);
  }
  return value.trim();
};

/**
 * Reads a framework file, refusing (with what is wrong and where) one that
 * is malformed or maps a control to a check that does not exist.
 */
export function readFramework(
  file: string,
  knownChecks: Set<string>,
): ComplianceFramework {
  const where = path.basename(file);
  const doc = yaml.load(fs.readFileSync(file, 'utf8')) as any;
  if (!doc || typeof doc !== 'object' || !Array.isArray(doc.controls)) {
    throw new Error(`${where}: a framework has an id, a title and controls`);
  }
  const id = text(doc.id, `${where}: id`);
  if (!/^[a-z0-9-]{1,40}$/.test(id)) {
    throw new Error(
      `${where}: id '${id}' must be lower case letters, digits and dashes`,
    );
  }
  const ids = new Set<string>();
  const controls = doc.controls.map((control: any, i: number) => {
    const at = `${where}: controls[${i}]`;
    const controlId = text(String(control?.id ?? ''), `${at}.id`);
    if (ids.has(controlId))
      throw new Error(`${at}: control ${controlId} twice`);
    ids.add(controlId);
    if (!Array.isArray(control.checks) || !control.checks.length) {
      throw new Error(`${at}: checks must list at least one scorecard check`);
    }
    for (const check of control.checks) {
      if (!knownChecks.has(check)) {
        throw new Error(
          `${at}: there is no scorecard check '${check}' (the checks are ${[
            ...knownChecks,
          ].join(', ')})`,
        );
      }
    }
    return {
      id: controlId,
      title: text(control.title, `${at}.title`),
      description:
        typeof control.description === 'string'
          ? control.description.trim()
          : '',
      checks: [...new Set<string>(control.checks)],
    };
  });
  return {
    id,
    title: text(doc.title, `${where}: title`),
    version: doc.version ? String(doc.version) : undefined,
    controls,
  };
}

const sha256 = (content: Buffer) =>
  createHash('sha256').update(content).digest('hex');

/** A CSV cell: quoted when it must be, and never read as a formula. */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export class Compliance {
  private readonly frameworks = new Map<string, ComplianceFramework>();

  constructor(
    private readonly queries: ControlQueries,
    frameworks: ComplianceFramework[],
  ) {
    for (const framework of frameworks) {
      if (this.frameworks.has(framework.id)) {
        throw new Error(
          `Two compliance frameworks have the id '${framework.id}'`,
        );
      }
      this.frameworks.set(framework.id, framework);
    }
  }

  list(): ComplianceFramework[] {
    return [...this.frameworks.values()];
  }

  framework(id: string): ComplianceFramework {
    const framework = this.frameworks.get(id);
    if (!framework) {
      throw new NotFoundError(
        `There is no compliance framework '${id}' (there are ${this.list()
          .map(f => f.id)
          .join(', ')})`,
      );
    }
    return framework;
  }

  /**
   * Each control's pass rate over the entities (all when not given), on
   * the latest evaluated day and each day of the last 30.
   */
  async status(frameworkId: string, now: Date, entityRefs?: string[]) {
    const framework = this.framework(frameworkId);
    const from = dayOf(new Date(now.getTime() - HISTORY_DAYS * DAY_MS));
    const controls = await Promise.all(
      framework.controls.map(async control => {
        const days = await this.queries.byDay(control.checks, from, entityRefs);
        const latest = days[days.length - 1];
        return {
          ...control,
          day: latest?.day,
          entities: latest?.entities ?? 0,
          passing: latest?.passing ?? 0,
          rate: latest?.entities
            ? Math.round((1000 * latest.passing) / latest.entities) / 10
            : undefined,
          history: days.map(d => ({
            day: d.day,
            rate: Math.round((1000 * d.passing) / d.entities) / 10,
          })),
        };
      }),
    );
    return {
      framework: {
        id: framework.id,
        title: framework.title,
        version: framework.version,
      },
      controls,
    };
  }

  /**
   * The evidence of a framework on its latest evaluated day (or `day`): for
   * each control, its checks and every result behind it, as evidence.json
   * and evidence.csv, with MANIFEST.sha256 (`sha256sum -c` reads it), in a
   * .tar.gz.
   */
  async evidence(frameworkId: string, now: Date, day?: string) {
    const framework = this.framework(frameworkId);
    if (day !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(day)) {
      throw new InputError(`day must be a date as YYYY-MM-DD, not '${day}'`);
    }
    const checks = [...new Set(framework.controls.flatMap(c => c.checks))];
    const latestDays = await this.queries.byDay(
      checks,
      day ?? dayOf(new Date(now.getTime() - HISTORY_DAYS * DAY_MS)),
    );
    const evidenceDay = day ?? latestDays[latestDays.length - 1]?.day;
    if (!evidenceDay || (day && !latestDays.some(d => d.day === day))) {
      throw new NotFoundError(
        day
          ? `The scorecards were not evaluated on ${day}`
          : 'The scorecards were not evaluated in the last 30 days: evaluate them first',
      );
    }
    const results = await this.queries.results(checks, evidenceDay);
    const byCheck = new Map<string, typeof results>();
    for (const result of results) {
      byCheck.set(result.checkId, [
        ...(byCheck.get(result.checkId) ?? []),
        result,
      ]);
    }
    const controls = framework.controls.map(control => {
      const rows = control.checks.flatMap(check => byCheck.get(check) ?? []);
      const failing = new Set(
        rows.filter(r => !r.passed).map(r => r.entityRef),
      );
      const entities = new Set(rows.map(r => r.entityRef));
      return {
        id: control.id,
        title: control.title,
        checks: control.checks,
        entities: entities.size,
        passing: entities.size - failing.size,
        results: rows.map(r => ({
          entityRef: r.entityRef,
          checkId: r.checkId,
          passed: r.passed,
          detail: r.detail,
          evaluatedAt: r.evaluatedAt.toISOString(),
          records: r.records,
        })),
      };
    });
    const generatedAt = now.toISOString();
    const json = Buffer.from(
      `${JSON.stringify(
        {
          framework: {
            id: framework.id,
            title: framework.title,
            version: framework.version,
          },
          day: evidenceDay,
          generatedAt,
          controls,
        },
        null,
        2,
      )}\n`,
    );
    const csvLines = [
      'control,control_title,check,entity_ref,passed,detail,evaluated_at,records',
      ...controls.flatMap(control =>
        control.results.map(r =>
          [
            control.id,
            control.title,
            r.checkId,
            r.entityRef,
            r.passed ? 'true' : 'false',
            r.detail,
            r.evaluatedAt,
            r.records.join(' '),
          ]
            .map(csvCell)
            .join(','),
        ),
      ),
    ];
    const csv = Buffer.from(`${csvLines.join('\n')}\n`);
    const manifest = Buffer.from(
      `${sha256(json)}  evidence.json\n${sha256(csv)}  evidence.csv\n`,
    );
    const name = `${framework.id}-evidence-${evidenceDay}`;
    return {
      fileName: `${name}.tar.gz`,
      archive: tarGz(
        [
          { name: `${name}/evidence.json`, content: json },
          { name: `${name}/evidence.csv`, content: csv },
          { name: `${name}/MANIFEST.sha256`, content: manifest },
        ],
        now,
      ),
      day: evidenceDay,
      sha256: { json: sha256(json), csv: sha256(csv) },
    };
  }
}
