import { AuthService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { GatePolicy, SEVERITIES } from '@portal/plugin-secops-common';
import { readAllEntities } from '@portal/catalog-ownership';
import { FindingStore, GatePolicyStore } from '../database/types';
import { gateOutcomes } from './gates';

/** The gate policies that apply now, and where they come from. */
export interface CurrentGatePolicies {
  /** 0 while the configuration's apply (no change made in the portal). */
  version: number;
  source: 'config' | 'portal';
  policies: GatePolicy[];
  changedBy?: string;
  reason?: string;
  createdAt?: string;
}

/** One entity whose gate would change. */
export interface GateChange {
  entityRef: string;
  /** The gate that applies to it now, and would apply ('none' if none). */
  gateBefore: string;
  gateAfter: string;
}

/** What a change of the gate policies would do, across the organisation. */
export interface GatePolicyPreview {
  /** Entities evaluated: every component, resource and system. */
  entities: number;
  failingBefore: number;
  failingAfter: number;
  /** Passing now, failing after (the first `limit`; newlyFailingCount all). */
  newlyFailing: GateChange[];
  newlyFailingCount: number;
  newlyPassing: GateChange[];
  newlyPassingCount: number;
}

/** What the page lists of each side of a preview, at the most. */
const PREVIEW_LIMIT = 200;

/** The catalog fields a gate's match reads. */
const GATE_FIELDS = [
  'kind',
  'metadata.name',
  'metadata.namespace',
  'metadata.tags',
  'spec.type',
  'spec.lifecycle',
  'spec.system',
];

/**
 * The gate policies as data the security team owns: the latest version
 * stored in the portal applies; until there is one, the configuration's
 * (secops.gates) do. A change is checked, stored as a new version with who
 * and why, and can be previewed first: which entities would newly fail or
 * pass, over every entity of the catalog. Callers authorize first.
 */
export class GatePolicies {
  constructor(
    private readonly deps: {
      store: GatePolicyStore;
      /** The configuration's policies: the seed of a new installation. */
      seed: GatePolicy[];
      findings: Pick<FindingStore, 'countForGateOf'>;
      catalog: CatalogService;
      auth: AuthService;
    },
  ) {}

  async current(): Promise<CurrentGatePolicies> {
    const latest = await this.deps.store.latest();
    return latest
      ? { ...latest, source: 'portal' }
      : { version: 0, source: 'config', policies: this.deps.seed };
  }

  /** The policies that apply now (what the gate evaluates). */
  async policies(): Promise<GatePolicy[]> {
    return (await this.current()).policies;
  }

  history(page: { offset: number; limit: number }) {
    return this.deps.store.list(page);
  }

  /** Stores a change as the next version; ConflictError if it is stale. */
  async change(change: {
    policies: GatePolicy[];
    reason: string;
    basedOn: number;
    changedBy: string;
  }) {
    const policies = normalise(change.policies);
    const reason = change.reason.trim();
    if (reason.length < 10) {
      throw new InputError('reason must say why, in at least 10 characters');
    }
    return this.deps.store.save({ ...change, policies, reason }, new Date());
  }

  /** Which entities `proposed` would newly fail or pass, against now. */
  async preview(proposed: GatePolicy[]): Promise<GatePolicyPreview> {
    const policies = normalise(proposed);
    const entities = await readAllEntities(
      this.deps.catalog,
      {
        filter: { kind: ['Component', 'Resource', 'System'] },
        fields: GATE_FIELDS,
      },
      await this.deps.auth.getOwnServiceCredentials(),
    );
    const now = new Date();
    const [before, after] = await Promise.all([
      this.policies().then(current =>
        gateOutcomes(this.deps.findings, entities, current, now),
      ),
      gateOutcomes(this.deps.findings, entities, policies, now),
    ]);
    const newlyFailing: GateChange[] = [];
    const newlyPassing: GateChange[] = [];
    entities.forEach((entity: Entity, i) => {
      if (before[i].passed === after[i].passed) return;
      const change = {
        entityRef: stringifyEntityRef(entity),
        gateBefore: before[i].gate,
        gateAfter: after[i].gate,
      };
      (after[i].passed ? newlyPassing : newlyFailing).push(change);
    });
    const byRef = (a: GateChange, b: GateChange) =>
      a.entityRef.localeCompare(b.entityRef);
    return {
      entities: entities.length,
      failingBefore: before.filter(o => !o.passed).length,
      failingAfter: after.filter(o => !o.passed).length,
      newlyFailing: newlyFailing.sort(byRef).slice(0, PREVIEW_LIMIT),
      newlyFailingCount: newlyFailing.length,
      newlyPassing: newlyPassing.sort(byRef).slice(0, PREVIEW_LIMIT),
      newlyPassingCount: newlyPassing.length,
    };
  }
}

/**
 * The policies as the gate reads them: names unique and trimmed, match
 * values lower case, every rule's severity known. InputError says what is
 * wrong (the spec has checked their shape).
 */
export function normalise(policies: GatePolicy[]): GatePolicy[] {
  if (!policies.length) {
    throw new InputError(
      'policies must hold at least one gate policy (a policy without rules lets everything pass)',
    );
  }
  const names = new Set<string>();
  return policies.map((policy, i) => {
    const name = policy.name.trim();
    if (!name) throw new InputError(`policies[${i}] has no name`);
    if (names.has(name.toLowerCase())) {
      throw new InputError(`Two gate policies are named ${name}`);
    }
    names.add(name.toLowerCase());
    if (!policy.rules.length) {
      throw new InputError(`The gate policy ${name} has no rule`);
    }
    for (const rule of policy.rules) {
      if (!SEVERITIES.includes(rule.severity)) {
        throw new InputError(
          `The gate policy ${name} has an unknown severity ${rule.severity}`,
        );
      }
    }
    const match: GatePolicy['match'] = {};
    for (const [key, values] of Object.entries(policy.match ?? {})) {
      const kept = ((values ?? []) as string[])
        .map(v => v.trim().toLowerCase())
        .filter(Boolean);
      if (kept.length) match[key as keyof GatePolicy['match']] = kept;
    }
    return { name, match, rules: policy.rules };
  });
}
