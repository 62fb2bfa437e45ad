/*
 * The adoption map: every repository the sources find, where it stands on
 * the golden path (analysis.ts), counted, with a point per day kept for the
 * trend (golden_path_adoption_days, in the scaffolder's database), and the
 * jobs several repositories duplicate. Scanned at most every five minutes
 * (one scan shared by everyone asking meanwhile) and daily by a task.
 */
import {
  AuthService,
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import {
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
  Entity,
  RELATION_OWNED_BY,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  AdoptionCounts,
  AdoptionSummary,
  RefreshingValue,
} from '@portal/common';
import { Knex } from 'knex';
import path from 'node:path';
import {
  DuplicateGroup,
  duplicateJobs,
  PipelineKind,
  RepositoryState,
  stateOf,
} from './analysis';
import { FoundRepository, RepositorySource } from './repositories';

const DAYS = 'golden_path_adoption_days';
const SCAN_MAX_AGE_MS = 5 * 60 * 1000;
const TREND_DAYS = 30;

export type { AdoptionCounts, AdoptionSummary };

/** What the list can be narrowed to. */
export interface RepositoryFilter {
  pipeline?: PipelineKind;
  inCatalog?: boolean;
  ownerKnown?: boolean;
  search?: string;
}

interface Scan {
  at: Date;
  repositories: RepositoryState[];
  duplicates: DuplicateGroup[];
}

export function countsOf(repositories: RepositoryState[]): AdoptionCounts {
  const count = (f: (r: RepositoryState) => boolean) =>
    repositories.filter(f).length;
  return {
    repositories: repositories.length,
    inCatalog: count(r => r.inCatalog),
    goldenPath: count(r => r.pipeline === 'golden-path'),
    customPipeline: count(r => r.pipeline === 'custom'),
    noPipeline: count(r => r.pipeline === 'none'),
    ownerUnknown: count(r => !r.ownerRef),
  };
}

export class Adoption {
  private readonly scan: RefreshingValue<Scan>;

  constructor(
    private readonly deps: {
      sources: RepositorySource[];
      catalog: CatalogService;
      auth: AuthService;
      knex: Knex;
      logger: LoggerService;
      now?: () => Date;
    },
  ) {
    this.scan = new RefreshingValue(() => this.scanNow(), {
      maxAgeMs: SCAN_MAX_AGE_MS,
    });
  }

  static async create(deps: Adoption['deps']): Promise<Adoption> {
    if (!(await deps.knex.schema.hasTable(DAYS))) {
      // Two replicas starting at once may both find no table: the
      // second's create fails, and the table is there.
      try {
        await deps.knex.schema.createTable(DAYS, table => {
          table.string('day', 10).primary();
          table.integer('repositories').notNullable();
          table.integer('in_catalog').notNullable();
          table.integer('golden_path').notNullable();
          table.integer('custom_pipeline').notNullable();
          table.integer('no_pipeline').notNullable();
          table.integer('owner_unknown').notNullable();
        });
      } catch (error) {
        if (!(await deps.knex.schema.hasTable(DAYS))) throw error;
      }
    }
    return new Adoption(deps);
  }

  /** Scans daily, once across replicas, so the trend has a point a day. */
  async schedule(scheduler: SchedulerService) {
    await scheduler.scheduleTask({
      id: 'golden-path-adoption-scan',
      frequency: { hours: 24 },
      timeout: { minutes: 30 },
      initialDelay: { minutes: 2 },
      fn: async () => {
        await this.scanNow();
      },
    });
  }

  /** The entities registered from each repository, by local folder and GitHub slug. */
  private async claims() {
    const { items } = await this.deps.catalog.getEntities(
      {
        filter: [
          { kind: 'component' },
          { kind: 'api' },
          { kind: 'resource' },
          { kind: 'system' },
        ],
        fields: [
          'kind',
          'metadata.name',
          'metadata.namespace',
          'metadata.annotations',
          'relations',
        ],
      },
      { credentials: await this.deps.auth.getOwnServiceCredentials() },
    );
    const byKey = new Map<
      string,
      Array<{ entityRef: string; ownerRef?: string }>
    >();
    const add = (key: string, entity: Entity) => {
      const claim = {
        entityRef: stringifyEntityRef(entity),
        ownerRef: entity.relations
          ?.find(r => r.type === RELATION_OWNED_BY)
          ?.targetRef.toLowerCase(),
      };
      byKey.set(key, [...(byKey.get(key) ?? []), claim]);
    };
    for (const entity of items) {
      const annotations = entity.metadata.annotations ?? {};
      for (const location of new Set([
        annotations[ANNOTATION_LOCATION],
        annotations[ANNOTATION_ORIGIN_LOCATION],
      ])) {
        if (location?.startsWith('file:')) {
          add(`local:${path.dirname(location.slice('file:'.length))}`, entity);
        }
      }
      const slug = annotations['github.com/project-slug'];
      if (slug) add(`github:${slug.toLowerCase()}`, entity);
    }
    return (repository: FoundRepository) =>
      byKey.get(
        repository.target === 'local'
          ? `local:${repository.path}`
          : `github:${repository.name.toLowerCase()}`,
      ) ?? [];
  }

  /** Reads every source and the catalog now, and keeps the day's counts. */
  async scanNow(): Promise<Scan> {
    const found: FoundRepository[] = [];
    let partial = false;
    for (const source of this.deps.sources) {
      try {
        found.push(...(await source.list()));
      } catch (error) {
        partial = true;
        this.deps.logger.warn(
          `A repository source could not be read: ${error}`,
        );
      }
    }
    partial ||= found.some(r => r.unread);
    const claimsOf = await this.claims();
    const repositories = found
      .map(repository => stateOf(repository, claimsOf(repository)))
      .sort((a, b) => a.name.localeCompare(b.name));
    const at = this.deps.now?.() ?? new Date();
    const counts = countsOf(repositories);
    // A scan that could not read everything says so in the log and leaves
    // the day's point as it was: the trend counts only whole scans.
    if (partial) {
      this.deps.logger.warn(
        "The adoption scan could not read every repository; the day's counts are not recorded",
      );
    } else {
      await this.deps
        .knex(DAYS)
        .insert({
          day: at.toISOString().slice(0, 10),
          repositories: counts.repositories,
          in_catalog: counts.inCatalog,
          golden_path: counts.goldenPath,
          custom_pipeline: counts.customPipeline,
          no_pipeline: counts.noPipeline,
          owner_unknown: counts.ownerUnknown,
        })
        .onConflict('day')
        .merge();
    }
    return { at, repositories, duplicates: duplicateJobs(found) };
  }

  async summary(): Promise<AdoptionSummary> {
    const scan = await this.scan.get();
    const since = new Date(scan.at.getTime() - TREND_DAYS * 86_400_000)
      .toISOString()
      .slice(0, 10);
    const rows = await this.deps
      .knex(DAYS)
      .where('day', '>', since)
      .orderBy('day');
    return {
      scannedAt: scan.at.toISOString(),
      counts: countsOf(scan.repositories),
      trend: rows.map(r => ({
        day: r.day,
        repositories: Number(r.repositories),
        inCatalog: Number(r.in_catalog),
        goldenPath: Number(r.golden_path),
        customPipeline: Number(r.custom_pipeline),
        noPipeline: Number(r.no_pipeline),
        ownerUnknown: Number(r.owner_unknown),
      })),
      duplicates: scan.duplicates,
    };
  }

  /** A page of the repositories, narrowed by the filter, by name. */
  async list(
    filter: RepositoryFilter,
    page: { offset: number; limit: number },
  ): Promise<{
    items: RepositoryState[];
    totalCount: number;
    nextCursor?: string;
  }> {
    const { repositories } = await this.scan.get();
    const search = filter.search?.toLowerCase();
    const found = repositories.filter(
      r =>
        (filter.pipeline === undefined || r.pipeline === filter.pipeline) &&
        (filter.inCatalog === undefined || r.inCatalog === filter.inCatalog) &&
        (filter.ownerKnown === undefined ||
          !!r.ownerRef === filter.ownerKnown) &&
        (!search || r.name.toLowerCase().includes(search)),
    );
    const end = page.offset + page.limit;
    return {
      items: found.slice(page.offset, end),
      totalCount: found.length,
      nextCursor: end < found.length ? String(end) : undefined,
    };
  }
}
