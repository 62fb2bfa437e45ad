import { InputError } from '@backstage/errors';
import { durationSeconds, SloDefinition } from '@portal/plugin-sre-common';
import { parseAllDocuments } from 'yaml';

const NAME = /^[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?$/;
const MAX_QUERY = 4000;
const MAX_SLOS = 50;

function fail(where: string, message: string): never {
  throw new InputError(`${where}: ${message}`);
}

function queryOf(where: string, side: any): { type: string; query: string } {
  const source = side?.metricSource;
  const type = source?.type;
  const query = source?.spec?.query;
  if (typeof type !== 'string' || !type) {
    fail(where, 'metricSource.type is missing');
  }
  if (typeof query !== 'string' || !query.trim()) {
    fail(where, 'metricSource.spec.query is missing');
  }
  if (query.length > MAX_QUERY) {
    fail(where, `the query is longer than ${MAX_QUERY} characters`);
  }
  return { type, query: query.trim() };
}

/**
 * The SLOs of an OpenSLO v1 document set (kind SLO with an inline ratio
 * indicator; other kinds are skipped). Every problem is an InputError that
 * says which SLO and what is wrong.
 */
export function parseOpenSlo(text: string, entityRef: string): SloDefinition[] {
  const docs = parseAllDocuments(text);
  const out: SloDefinition[] = [];
  docs.forEach((doc, index) => {
    if (doc.errors.length) {
      fail(`document ${index + 1}`, `not valid YAML: ${doc.errors[0].message}`);
    }
    const slo = doc.toJSON();
    if (!slo || slo.kind !== 'SLO') return;
    const name = slo.metadata?.name;
    const where = `SLO ${typeof name === 'string' ? name : `#${index + 1}`}`;
    if (slo.apiVersion !== 'openslo/v1') {
      fail(where, `apiVersion must be openslo/v1, not ${slo.apiVersion}`);
    }
    if (typeof name !== 'string' || !NAME.test(name)) {
      fail(where, 'metadata.name must be a lower-case name');
    }
    const spec = slo.spec ?? {};
    const ratio = spec.indicator?.spec?.ratioMetric;
    if (!ratio) {
      fail(
        where,
        'spec.indicator.spec.ratioMetric (good and total) is required',
      );
    }
    const good = queryOf(`${where} good`, ratio.good);
    const total = queryOf(`${where} total`, ratio.total);
    if (good.type.toLowerCase() !== total.type.toLowerCase()) {
      fail(where, 'good and total must come from the same metricSource type');
    }
    const objective = spec.objectives?.[0];
    let target = NaN;
    if (typeof objective?.target === 'number') target = objective.target;
    else if (typeof objective?.targetPercent === 'number') {
      target = objective.targetPercent / 100;
    }
    if (!(target > 0 && target < 1)) {
      fail(
        where,
        'objectives[0].target must be between 0 and 1 (or targetPercent between 0 and 100)',
      );
    }
    const window = spec.timeWindow?.[0]?.duration ?? '28d';
    if (!durationSeconds(window)) {
      fail(
        where,
        `timeWindow duration "${window}" is not a duration such as 28d`,
      );
    }
    if (spec.timeWindow?.[0] && spec.timeWindow[0].isRolling === false) {
      fail(where, 'only rolling time windows are supported');
    }
    out.push({
      entityRef,
      name,
      displayName: String(slo.metadata.displayName ?? name),
      description:
        typeof spec.description === 'string' ? spec.description : undefined,
      target,
      window,
      sourceType: good.type,
      goodQuery: good.query,
      totalQuery: total.query,
    });
  });
  if (out.length > MAX_SLOS) {
    throw new InputError(`more than ${MAX_SLOS} SLOs for one entity`);
  }
  const names = new Set<string>();
  for (const d of out) {
    if (names.has(d.name))
      throw new InputError(`SLO ${d.name} is declared twice`);
    names.add(d.name);
  }
  return out;
}
