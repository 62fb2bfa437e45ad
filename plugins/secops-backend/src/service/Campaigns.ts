/*
 * Campaigns: the security or platform team sets a target for a set of
 * services ("every production service at silver by 2027-03-31"); the
 * owners of the services not there yet are told once, when it starts; the
 * progress (overall and per owning team) is read from the latest
 * scorecards, so it moves as the teams fix things.
 */
import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { readAllEntities } from '@portal/catalog-ownership';
import { RefreshingValue } from '@portal/common';
import {
  Campaign,
  CampaignRequest,
  GateMatch,
} from '@portal/plugin-secops-common';
import { SCORECARD_LEVELS, ScorecardLevel } from '@portal/plugin-secops-node';
import { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { ScorecardStore } from '../database/ScorecardStore';
import { CAMPAIGNS, Timestamp, toDate } from '../database/tables';
import { matchesEntity } from './gates';

const DAY_MS = 24 * 3600 * 1000;
/** How long the catalog's components are reused between campaign reads. */
const CATALOG_MAX_AGE_MS = 60_000;
/** The furthest a campaign may be due. */
const MAX_DAYS_AHEAD = 3 * 366;

const FIELDS = [
  'kind',
  'metadata.name',
  'metadata.namespace',
  'metadata.tags',
  'spec.type',
  'spec.lifecycle',
  'spec.owner',
  'spec.system',
];

type CampaignRow = {
  id: string;
  title: string;
  target_level: string;
  match: string;
  due_date: string;
  created_by: string;
  created_at: Timestamp;
};

const atLeast = (level: string | undefined, target: ScorecardLevel) =>
  !!level &&
  SCORECARD_LEVELS.indexOf(level as ScorecardLevel) >=
    SCORECARD_LEVELS.indexOf(target);

function ownerOf(entity: Entity): string {
  const owner = entity.spec?.owner;
  if (typeof owner !== 'string') return 'nobody';
  try {
    return stringifyEntityRef(
      parseEntityRef(owner, {
        defaultKind: 'group',
        defaultNamespace: 'default',
      }),
    ).toLowerCase();
  } catch {
    return 'nobody';
  }
}

export class Campaigns {
  private readonly components: RefreshingValue<Entity[]>;

  constructor(
    private readonly deps: {
      knex: Knex;
      scorecards: ScorecardStore;
      catalog: CatalogService;
      auth: AuthService;
      notifications?: NotificationService;
      logger?: LoggerService;
    },
  ) {
    this.components = new RefreshingValue(
      async () =>
        readAllEntities(
          deps.catalog,
          { filter: { kind: 'Component' }, fields: FIELDS },
          await deps.auth.getOwnServiceCredentials(),
        ),
      { maxAgeMs: CATALOG_MAX_AGE_MS },
    );
  }

  /** Starts a campaign and tells the owners of the services not there yet. */
  async create(
    request: CampaignRequest,
    createdBy: string,
    now: Date,
  ): Promise<Campaign> {
    const title = request.title.trim();
    if (!title) throw new InputError('title must not be blank');
    const due = Date.parse(`${request.dueDate}T23:59:59Z`);
    if (!Number.isFinite(due) || due < now.getTime()) {
      throw new InputError(
        `dueDate must be a day in the future, not ${request.dueDate}`,
      );
    }
    if (due > now.getTime() + MAX_DAYS_AHEAD * DAY_MS) {
      throw new InputError('dueDate must be within three years');
    }
    const match: GateMatch = Object.fromEntries(
      Object.entries(request.match ?? {}).map(([key, values]) => [
        key,
        (values as string[]).map(v => v.trim().toLowerCase()),
      ]),
    );
    const row: CampaignRow = {
      id: randomUUID(),
      title,
      target_level: request.targetLevel,
      match: JSON.stringify(match),
      due_date: request.dueDate,
      created_by: createdBy,
      created_at: now,
    };
    await this.deps.knex(CAMPAIGNS).insert(row);
    // One reading of the progress: its teams are whom to tell.
    const { teams, ...campaign } = await this.progress(row, now, true);
    await this.notify(campaign, teams ?? []);
    return campaign;
  }

  /** Every campaign, the soonest due first, with its progress. */
  async list(now: Date): Promise<Campaign[]> {
    const rows: CampaignRow[] = await this.deps
      .knex(CAMPAIGNS)
      .orderBy([
        { column: 'due_date', order: 'asc' },
        { column: 'created_at', order: 'asc' },
      ])
      .limit(100);
    return Promise.all(rows.map(row => this.progress(row, now)));
  }

  async get(id: string, now: Date): Promise<Campaign> {
    const row: CampaignRow | undefined = /^[0-9a-f-]{36}$/.test(id)
      ? await this.deps.knex(CAMPAIGNS).where('id', id).first()
      : undefined;
    if (!row) throw new NotFoundError(`There is no campaign ${id}`);
    return this.progress(row, now, true);
  }

  /** Where the campaign stands on the latest scorecards. */
  private async progress(
    row: CampaignRow,
    now: Date,
    withTeams = false,
  ): Promise<Campaign> {
    const match = JSON.parse(row.match) as GateMatch;
    const target = row.target_level as ScorecardLevel;
    const entities = (await this.components.get()).filter(e =>
      matchesEntity(e, match),
    );
    const refs = entities.map(e => stringifyEntityRef(e));
    const day = await this.deps.scorecards.latestDay();
    const scores = day
      ? await this.deps.scorecards.entityScores(refs, day)
      : new Map();
    const teams = new Map<string, { total: number; reached: number }>();
    let reached = 0;
    entities.forEach((entity, i) => {
      const ok = atLeast(scores.get(refs[i])?.level, target);
      if (ok) reached++;
      const owner = ownerOf(entity);
      const team = teams.get(owner) ?? { total: 0, reached: 0 };
      team.total++;
      if (ok) team.reached++;
      teams.set(owner, team);
    });
    const due = Date.parse(`${row.due_date}T23:59:59Z`);
    return {
      id: row.id,
      title: row.title,
      targetLevel: target,
      match,
      dueDate: row.due_date,
      createdBy: row.created_by,
      createdAt: toDate(row.created_at).toISOString(),
      day,
      total: entities.length,
      reached,
      daysLeft: Math.max(0, Math.ceil((due - now.getTime()) / DAY_MS)),
      overdue: due < now.getTime() && reached < entities.length,
      teams: withTeams
        ? [...teams]
            .map(([owner, t]) => ({ owner, ...t }))
            .sort(
              (a, b) =>
                a.reached / a.total - b.reached / b.total ||
                b.total - a.total ||
                a.owner.localeCompare(b.owner),
            )
        : undefined,
    };
  }

  /** One notification per owner with services not at the target yet. */
  private async notify(
    campaign: Campaign,
    teams: NonNullable<Campaign['teams']>,
  ) {
    const { notifications, logger } = this.deps;
    if (!notifications) return;
    for (const team of teams) {
      if (team.owner === 'nobody' || team.reached === team.total) continue;
      const missing = team.total - team.reached;
      try {
        await notifications.send({
          recipients: { type: 'entity', entityRef: team.owner },
          payload: {
            title: `Campaign: ${campaign.title}`,
            description: `${missing} of your ${team.total} services must reach ${campaign.targetLevel} by ${campaign.dueDate}. Their scorecards say what is missing.`,
            link: '/scorecards',
            severity: 'normal',
            topic: 'secops-campaign',
          },
        });
      } catch (error) {
        logger?.warn(
          `Could not tell ${team.owner} of the campaign ${campaign.id}: ${error}`,
        );
      }
    }
  }
}
