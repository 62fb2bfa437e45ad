import {
  AuthService,
  LoggerService,
  UrlReaderService,
} from '@backstage/backend-plugin-api';
import {
  ANNOTATION_LOCATION,
  Entity,
  parseLocationRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { readAllEntities } from '@portal/catalog-ownership';
import { SloDefinitionProblem } from '@portal/plugin-sre-common';
import fs from 'node:fs/promises';
import path from 'node:path';
import { SloDefinition } from '@portal/plugin-sre-common';
import { SreStore } from '../database/SreStore';
import { parseOpenSlo } from './openslo';

/** An OpenSLO file next to the entity's catalog-info.yaml (relative path). */
export const OPENSLO_ANNOTATION = 'acme.example/openslo';
/** Or the OpenSLO YAML itself, in the annotation. */
export const OPENSLO_INLINE_ANNOTATION = 'acme.example/openslo-inline';

const MAX_FILE = 256 * 1024;

/**
 * Reads the SLOs that catalog entities declare and keeps the store's
 * definitions in step with them. Entities whose SLOs cannot be read keep
 * their previous definitions, and the problem is reported.
 */
export class SloDefinitions {
  private problems: SloDefinitionProblem[] = [];

  constructor(
    private readonly catalog: CatalogService,
    private readonly auth: AuthService,
    private readonly reader: UrlReaderService,
    private readonly store: SreStore,
    private readonly logger: LoggerService,
  ) {}

  /** Entities whose SLO definitions could not be read at the last sync. */
  currentProblems(): SloDefinitionProblem[] {
    return this.problems;
  }

  async sync(): Promise<{ slos: number; problems: number }> {
    const credentials = await this.auth.getOwnServiceCredentials();
    const entities: Entity[] = [];
    for (const annotation of [OPENSLO_ANNOTATION, OPENSLO_INLINE_ANNOTATION]) {
      entities.push(
        ...(await readAllEntities(
          this.catalog,
          {
            filter: {
              [`metadata.annotations.${annotation}`]: CATALOG_FILTER_EXISTS,
            },
          },
          credentials,
        )),
      );
    }
    const byRef = new Map(entities.map(e => [stringifyEntityRef(e), e]));
    // An entity the query missed keeps its SLOs when it is still in the
    // catalog and still declares them: the query's answer can lag behind
    // the entity (the catalog re-processing it), and an SLO dropped and read
    // again a minute later would lose its place and its history meanwhile.
    const stored = new Set(
      (await this.store.definitions()).map(d => d.entityRef),
    );
    const missed = [...stored].filter(ref => !byRef.has(ref));
    if (missed.length) {
      const { items } = await this.catalog.getEntitiesByRefs(
        { entityRefs: missed },
        { credentials },
      );
      for (const entity of items) {
        const annotations = entity?.metadata.annotations ?? {};
        if (
          entity &&
          (annotations[OPENSLO_ANNOTATION] ||
            annotations[OPENSLO_INLINE_ANNOTATION])
        ) {
          byRef.set(stringifyEntityRef(entity), entity);
        }
      }
    }
    const definitions: SloDefinition[] = [];
    const readable: string[] = [];
    const problems: SloDefinitionProblem[] = [];
    for (const [entityRef, entity] of byRef) {
      try {
        definitions.push(...parseOpenSlo(await this.textOf(entity), entityRef));
        readable.push(entityRef);
      } catch (error: any) {
        problems.push({ entityRef, message: error.message });
      }
    }
    // Entities that no longer declare SLOs lose them; unreadable ones keep theirs.
    const dropped = [...stored].filter(ref => !byRef.has(ref));
    await this.store.replaceDefinitions([...readable, ...dropped], definitions);
    this.problems = problems;
    if (problems.length) {
      this.logger.warn(
        `SLOs of ${problems.length} entities could not be read: ${problems
          .slice(0, 3)
          .map(p => `${p.entityRef}: ${p.message}`)
          .join('; ')}`,
      );
    }
    return { slos: definitions.length, problems: problems.length };
  }

  private async textOf(entity: Entity): Promise<string> {
    const annotations = entity.metadata.annotations ?? {};
    const inline = annotations[OPENSLO_INLINE_ANNOTATION];
    if (inline) return inline;
    const relative = annotations[OPENSLO_ANNOTATION];
    const location = annotations[ANNOTATION_LOCATION];
    if (!location) {
      throw new Error(
        `${OPENSLO_ANNOTATION} needs the entity's location to resolve "${relative}"`,
      );
    }
    const { type, target } = parseLocationRef(location);
    if (type === 'url') {
      // Files only next to (or below) the catalog file that names them, so
      // in its repository: an absolute URL or a `../` into another team's
      // repository would have the portal read it on this entity's behalf.
      const base = new URL('.', target);
      const resolved = new URL(relative, target);
      if (
        resolved.origin !== base.origin ||
        !resolved.pathname.startsWith(base.pathname)
      ) {
        throw new Error(
          `${OPENSLO_ANNOTATION} "${relative}" points outside the entity's folder`,
        );
      }
      const url = resolved.toString();
      const res = await this.reader.readUrl(url);
      const buffer = await res.buffer();
      if (buffer.length > MAX_FILE)
        throw new Error(`${url} is larger than ${MAX_FILE} bytes`);
      return buffer.toString('utf8');
    }
    if (type === 'file') {
      // Files only next to (or below) the catalog file that names them.
      const dir = path.dirname(target);
      const file = path.resolve(dir, relative);
      if (
        path.relative(dir, file).startsWith('..') ||
        path.isAbsolute(relative)
      ) {
        throw new Error(
          `${OPENSLO_ANNOTATION} "${relative}" points outside the entity's folder`,
        );
      }
      const stat = await fs.stat(file).catch(() => undefined);
      if (!stat)
        throw new Error(`${OPENSLO_ANNOTATION}: ${file} does not exist`);
      if (stat.size > MAX_FILE)
        throw new Error(`${file} is larger than ${MAX_FILE} bytes`);
      return fs.readFile(file, 'utf8');
    }
    throw new Error(
      `cannot read ${OPENSLO_ANNOTATION} from a ${type} location`,
    );
  }
}
