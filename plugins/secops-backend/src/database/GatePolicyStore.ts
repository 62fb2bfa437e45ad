/*
 * The gate policies' versions (secops_gate_policy_versions): every change
 * the security team makes is a new version holding all the policies, with
 * who made it, when and why. Nothing is updated or deleted.
 */
import { ConflictError } from '@backstage/errors';
import { GatePolicy } from '@portal/plugin-secops-common';
import { Knex } from 'knex';
import { GATE_POLICY_VERSIONS, Timestamp, toDate } from './tables';
import { GatePolicyStore, GatePolicyVersion } from './types';

type VersionRow = {
  version: number | string;
  policies: string;
  changed_by: string;
  reason: string;
  created_at: Timestamp;
};

function toVersion(row: VersionRow): GatePolicyVersion {
  return {
    version: Number(row.version),
    policies: JSON.parse(row.policies) as GatePolicy[],
    changedBy: row.changed_by,
    reason: row.reason,
    createdAt: toDate(row.created_at).toISOString(),
  };
}

/** The gate policies' versions on knex: SQLite and PostgreSQL. */
export class DatabaseGatePolicyStore implements GatePolicyStore {
  constructor(private readonly knex: Knex) {}

  async latest(): Promise<GatePolicyVersion | undefined> {
    const row: VersionRow | undefined = await this.knex(GATE_POLICY_VERSIONS)
      .orderBy('version', 'desc')
      .first();
    return row && toVersion(row);
  }

  async list(page: { offset: number; limit: number }) {
    const [{ count }] = await this.knex(GATE_POLICY_VERSIONS).count({
      count: '*',
    });
    const rows: VersionRow[] = await this.knex(GATE_POLICY_VERSIONS)
      .orderBy('version', 'desc')
      .offset(page.offset)
      .limit(page.limit);
    return { items: rows.map(toVersion), totalCount: Number(count) };
  }

  async save(
    change: {
      policies: GatePolicy[];
      changedBy: string;
      reason: string;
      basedOn: number;
    },
    now: Date,
  ): Promise<GatePolicyVersion> {
    const row = {
      version: change.basedOn + 1,
      policies: JSON.stringify(change.policies),
      changed_by: change.changedBy,
      reason: change.reason,
      created_at: now,
    };
    const conflict = (latest: number) =>
      new ConflictError(
        `The gate policies changed meanwhile (version ${latest}, not ${change.basedOn}): reload them and make the change again`,
      );
    await this.knex.transaction(async tx => {
      const [{ latest }] = await tx(GATE_POLICY_VERSIONS).max({
        latest: 'version',
      });
      if (Number(latest ?? 0) !== change.basedOn) {
        throw conflict(Number(latest ?? 0));
      }
      try {
        await tx(GATE_POLICY_VERSIONS).insert(row);
      } catch (error) {
        // Another replica stored the same version first (primary key).
        throw conflict(change.basedOn + 1);
      }
    });
    return toVersion(row);
  }
}
