import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import {
  GateDecision,
  GateMatch,
  GatePolicy,
  GateReason,
  GateRule,
  Severity,
  SEVERITIES,
} from '@portal/plugin-secops-common';
import { FindingStore } from '../database/types';

const DAY = 24 * 3600 * 1000;

/** Without configuration: no open critical, no high older than 30 days. */
const DEFAULT_GATES: GatePolicy[] = [
  {
    name: 'default',
    match: {},
    rules: [
      { severity: 'critical', maxOpen: 0 },
      { severity: 'high', maxOpen: 0, maxAgeDays: 30 },
    ],
  },
];

const MATCH_KEYS: Array<keyof GateMatch> = [
  'kind',
  'type',
  'lifecycle',
  'tags',
  'system',
];

/** Reads `secops.gates`; the first gate whose match fits an entity applies. */
export function readGatePolicies(config: Config): GatePolicy[] {
  const gates = config.getOptionalConfigArray('secops.gates');
  if (!gates) {
    return DEFAULT_GATES;
  }
  return gates.map(gate => {
    const match: GateMatch = {};
    const matchConfig = gate.getOptionalConfig('match');
    for (const key of MATCH_KEYS) {
      const values = matchConfig?.getOptionalStringArray(key);
      if (values) match[key] = values.map(v => v.toLowerCase());
    }
    const rules = gate.getConfigArray('rules').map(rule => {
      const severity = rule.getString('severity') as Severity;
      if (!SEVERITIES.includes(severity)) {
        throw new Error(
          `secops.gates ${gate.getString(
            'name',
          )}: unknown severity '${severity}'`,
        );
      }
      return {
        severity,
        maxOpen: rule.getOptionalNumber('maxOpen') ?? 0,
        maxAgeDays: rule.getOptionalNumber('maxAgeDays'),
      };
    });
    return { name: gate.getString('name'), match, rules };
  });
}

function entityFacts(entity: Entity): Record<keyof GateMatch, string[]> {
  const spec = (entity.spec ?? {}) as Record<string, unknown>;
  const one = (value: unknown) =>
    typeof value === 'string' ? [value.toLowerCase()] : [];
  return {
    kind: one(entity.kind),
    type: one(spec.type),
    lifecycle: one(spec.lifecycle),
    tags: (entity.metadata.tags ?? []).map(t => t.toLowerCase()),
    system: one(spec.system).map(s => s.replace(/^system:(default\/)?/, '')),
  };
}

/** The first gate whose every given field matches the entity. */
export function selectGate(
  entity: Entity,
  gates: GatePolicy[],
): GatePolicy | undefined {
  return gates.find(gate => matchesEntity(entity, gate.match));
}

/** Whether the entity fits the match: every field given, any of its values. */
export function matchesEntity(entity: Entity, match: GateMatch): boolean {
  const facts = entityFacts(entity);
  return MATCH_KEYS.every(key => {
    const wanted = match[key];
    return !wanted || wanted.some(value => facts[key].includes(value));
  });
}

function describe(rule: GateRule) {
  const what =
    rule.severity === 'info'
      ? 'findings'
      : `${rule.severity} or worse findings`;
  const age = rule.maxAgeDays ? ` older than ${rule.maxAgeDays} days` : '';
  return rule.maxOpen === 0
    ? `no open ${what}${age}`
    : `at most ${rule.maxOpen} open ${what}${age}`;
}

/** Evaluates the gate for an entity: every rule, with the findings that count. */
export async function evaluateGate(
  store: Pick<FindingStore, 'countForGate'>,
  entity: Entity,
  gates: GatePolicy[],
  now: Date,
): Promise<GateDecision> {
  const entityRef = stringifyEntityRef(entity);
  const gate = selectGate(entity, gates);
  if (!gate) {
    return {
      entityRef,
      gate: 'none',
      passed: true,
      reasons: [],
      evaluatedAt: now.toISOString(),
    };
  }
  const reasons: GateReason[] = [];
  for (const rule of gate.rules) {
    const { count, examples } = await store.countForGate(entityRef, {
      severity: rule.severity,
      firstSeenBefore: rule.maxAgeDays
        ? new Date(now.getTime() - rule.maxAgeDays * DAY)
        : undefined,
      now,
    });
    const passed = count <= rule.maxOpen;
    reasons.push({
      rule,
      count,
      passed,
      message: `${passed ? 'Passed' : 'Failed'}: ${describe(
        rule,
      )} (found ${count})`,
      examples: examples.map(f => ({
        id: f.id,
        ruleId: f.ruleId,
        title: f.title,
        severity: f.severity,
      })),
    });
  }
  return {
    entityRef,
    gate: gate.name,
    passed: reasons.every(r => r.passed),
    reasons,
    evaluatedAt: now.toISOString(),
  };
}

/** Whether an entity passes its gate, as evaluateGate would say. */
export interface GateOutcome {
  entityRef: string;
  gate: string;
  passed: boolean;
}

/**
 * Whether each entity passes its gate, as evaluateGate decides, for many
 * entities at once: one grouped count a distinct rule (severity and age),
 * rather than queries per entity and rule, and without the examples.
 */
export async function gateOutcomes(
  store: Pick<FindingStore, 'countForGateOf'>,
  entities: Entity[],
  gates: GatePolicy[],
  now: Date,
): Promise<GateOutcome[]> {
  const selected = entities.map(entity => ({
    entityRef: stringifyEntityRef(entity),
    gate: selectGate(entity, gates),
  }));
  const ruleKey = (rule: GateRule) =>
    `${rule.severity}/${rule.maxAgeDays ?? ''}`;
  const byRule = new Map<string, { rule: GateRule; refs: Set<string> }>();
  for (const { entityRef, gate } of selected) {
    for (const rule of gate?.rules ?? []) {
      const entry = byRule.get(ruleKey(rule)) ?? { rule, refs: new Set() };
      entry.refs.add(entityRef);
      byRule.set(ruleKey(rule), entry);
    }
  }
  const counts = new Map<string, Map<string, number>>();
  for (const [key, { rule, refs }] of byRule) {
    counts.set(
      key,
      await store.countForGateOf([...refs], {
        severity: rule.severity,
        firstSeenBefore: rule.maxAgeDays
          ? new Date(now.getTime() - rule.maxAgeDays * DAY)
          : undefined,
        now,
      }),
    );
  }
  return selected.map(({ entityRef, gate }) => ({
    entityRef,
    gate: gate?.name ?? 'none',
    passed: (gate?.rules ?? []).every(
      rule => (counts.get(ruleKey(rule))?.get(entityRef) ?? 0) <= rule.maxOpen,
    ),
  }));
}
