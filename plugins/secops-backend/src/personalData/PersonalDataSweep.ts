/*
 * The portal's own sweep for personal data and secrets (issue 14): what
 * the catalog says about each component, API, resource and system (its
 * descriptions, annotations, links and spec), and, in the embedded default,
 * the files of the local golden-path repositories the entity was registered
 * from, TechDocs sources (docs/) included. Matches become findings of
 * category pii (or secret) on the entity, from the tool portal-pii-sweep,
 * masked; a later sweep that no longer finds one closes it.
 */
import {
  AuthService,
  LoggerService,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  SchedulerService,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import {
  ANNOTATION_ORIGIN_LOCATION,
  Entity,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { readAllEntities } from '@portal/catalog-ownership';
import {
  PiiFileMatch,
  piiFindings,
  scanFolder,
  scanText,
} from '@portal/plugin-secops-node';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { FindingStore } from '../database/types';

/** The tool the sweep's findings are recorded under. */
export const PERSONAL_DATA_SWEEP_TOOL = 'portal-pii-sweep';

export interface PersonalDataOptions {
  schedule: SchedulerServiceTaskScheduleDefinition;
  /** Local repositories whose files are scanned (the embedded default's). */
  repositoriesDir?: string;
}

/** secops.personalData; without the block, no sweep. */
export function readPersonalDataOptions(
  config: Config,
  baseDir = process.cwd(),
): PersonalDataOptions | undefined {
  const block = config.getOptionalConfig('secops.personalData');
  if (!block || block.getOptionalBoolean('enabled') === false) return undefined;
  const dir = block.getOptionalString('repositoriesDir');
  return {
    schedule: block.has('schedule')
      ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
          block.getConfig('schedule'),
        )
      : {
          frequency: { hours: 6 },
          timeout: { minutes: 30 },
          initialDelay: { minutes: 2 },
        },
    repositoriesDir: dir ? path.resolve(baseDir, dir) : undefined,
  };
}

/** Every string of a value, with where it is (`spec.owner`, `links[0].title`). */
function strings(
  value: unknown,
  at: string,
  out: Array<[string, string]>,
): Array<[string, string]> {
  if (typeof value === 'string') out.push([at, value]);
  else if (Array.isArray(value)) {
    value.forEach((item, i) => strings(item, `${at}[${i}]`, out));
  } else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      strings(item, at ? `${at}.${key}` : key, out);
    }
  }
  return out;
}

export class PersonalDataSweep {
  constructor(
    private readonly deps: {
      catalog: CatalogService;
      auth: AuthService;
      findings: Pick<FindingStore, 'ingest' | 'hasScan'>;
      logger: LoggerService;
      options: PersonalDataOptions;
      now?: () => Date;
    },
  ) {}

  /** The local repository an entity was registered from, if it is one. */
  private repositoryOf(entity: Entity): string | undefined {
    const root = this.deps.options.repositoriesDir;
    const origin = entity.metadata.annotations?.[ANNOTATION_ORIGIN_LOCATION];
    if (!root || !origin?.startsWith('file:')) return undefined;
    const dir = path.dirname(path.resolve(origin.slice('file:'.length)));
    const relative = path.relative(root, dir);
    // Exactly one folder below the repositories, never outside them.
    return relative &&
      !relative.startsWith('..') &&
      !relative.includes(path.sep)
      ? dir
      : undefined;
  }

  /** What the sweep finds on one entity. */
  async scan(entity: Entity): Promise<PiiFileMatch[]> {
    const matches: PiiFileMatch[] = [];
    const fields = strings(
      { metadata: entity.metadata, spec: entity.spec ?? {} },
      '',
      [],
    ).filter(([at]) => !/^metadata\.(uid|etag|name|namespace)$/.test(at));
    for (const [at, text] of fields) {
      for (const match of scanText(text)) {
        matches.push({ ...match, file: `catalog-info.yaml#${at}` });
      }
    }
    const repository = this.repositoryOf(entity);
    if (repository) {
      matches.push(...(await scanFolder(repository)).matches);
    }
    return matches;
  }

  /** Sweeps every entity once; returns how many were swept and found. */
  async sweep(): Promise<{ entities: number; findings: number }> {
    const entities = await readAllEntities(
      this.deps.catalog,
      {
        filter: { kind: ['Component', 'API', 'Resource', 'System'] },
        fields: ['kind', 'metadata', 'spec'],
      },
      await this.deps.auth.getOwnServiceCredentials(),
    );
    let found = 0;
    for (const entity of entities) {
      const entityRef = stringifyEntityRef(entity);
      const findings = piiFindings(await this.scan(entity));
      found += findings.length;
      // Nothing found and nothing to close: no scan is recorded.
      if (
        !findings.length &&
        !(await this.deps.findings.hasScan(entityRef, PERSONAL_DATA_SWEEP_TOOL))
      ) {
        continue;
      }
      await this.deps.findings.ingest(
        {
          entityRef,
          tool: PERSONAL_DATA_SWEEP_TOOL,
          format: 'portal-pii',
          uploadedBy: 'secops:personal-data-sweep',
          reportSha256: createHash('sha256')
            .update(JSON.stringify(findings.map(f => f.fingerprint)))
            .digest('hex'),
          findings,
          closesMissing: true,
        },
        (this.deps.now ?? (() => new Date()))(),
      );
    }
    this.deps.logger.info(
      `Personal data sweep: ${entities.length} entities, ${found} found`,
    );
    return { entities: entities.length, findings: found };
  }

  async schedule(scheduler: SchedulerService) {
    await scheduler.scheduleTask({
      id: 'secops-personal-data-sweep',
      ...this.deps.options.schedule,
      fn: async () => {
        await this.sweep();
      },
    });
  }
}
