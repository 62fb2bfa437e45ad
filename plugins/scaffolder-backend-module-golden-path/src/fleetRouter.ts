/*
 * The golden path's fleet for people: `GET /api/scaffolder/golden-path/fleet`
 * (the scaffolder's router, which this module extends), what the Golden
 * path page and the home page's widget show: every service made from (or
 * brought onto) a golden-path template that the caller may see in the
 * catalog, its template and version, the current one, whether it is
 * behind, and the fleet's versions counted; filtered by owner, to what
 * the caller owns (themself and their teams), or to those behind; a page
 * at a time.
 */
import {
  HttpAuthService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { OwnershipService } from '@portal/catalog-ownership';
import express from 'express';
import Router from 'express-promise-router';
import { Adoption } from './discovery/Adoption';
import { Ownership } from './ownership';
import { readFleet } from './templateVersions';

/**
 * A query's parameters, checked: an unknown one, or one given twice, is a
 * 400 naming it.
 */
function checkedQuery(
  query: Record<string, unknown>,
  allowed: string[],
): Record<string, string | undefined> {
  for (const key of Object.keys(query)) {
    if (!allowed.includes(key)) {
      throw new InputError(
        allowed.length
          ? `unknown query parameter "${key}" (use ${allowed.join(', ')})`
          : `unknown query parameter "${key}" (this route takes none)`,
      );
    }
    if (typeof query[key] !== 'string') {
      throw new InputError(`give the query parameter "${key}" once`);
    }
  }
  return query as Record<string, string | undefined>;
}

/** true, false or absent. */
function flag(q: Record<string, string | undefined>, name: string) {
  const value = q[name];
  if (value === undefined) return undefined;
  if (value !== 'true' && value !== 'false') {
    throw new InputError(`${name} must be true or false`);
  }
  return value === 'true';
}

/** The page asked for: offset (from the cursor) and limit (50, at most 100). */
function pageOf(q: Record<string, string | undefined>) {
  const limit = q.limit === undefined ? 50 : Number(q.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw new InputError('limit must be a whole number from 1 to 100');
  }
  if (q.cursor !== undefined && !/^\d{1,9}$/.test(q.cursor)) {
    throw new InputError('cursor is not one this route gave');
  }
  return { offset: Number(q.cursor ?? 0), limit };
}

/** The fleet's query, checked. */
export function fleetQuery(query: Record<string, unknown>) {
  const q = checkedQuery(query, [
    'ownerRef',
    'mine',
    'behindOnly',
    'cursor',
    'limit',
  ]);
  let ownerRef: string | undefined;
  if (q.ownerRef !== undefined) {
    try {
      const ref = parseEntityRef(q.ownerRef, { defaultKind: 'group' });
      if (ref.kind.toLowerCase() !== 'group') throw new Error();
      ownerRef = stringifyEntityRef(ref);
    } catch {
      throw new InputError(`ownerRef "${q.ownerRef}" is not a group ref`);
    }
  }
  return {
    ownerRef,
    mine: flag(q, 'mine') ?? false,
    behindOnly: flag(q, 'behindOnly') ?? false,
    ...pageOf(q),
  };
}

const PIPELINES = ['golden-path', 'custom', 'none'] as const;

/** The repositories' query, checked. */
export function repositoriesQuery(query: Record<string, unknown>) {
  const q = checkedQuery(query, [
    'pipeline',
    'inCatalog',
    'ownerKnown',
    'search',
    'cursor',
    'limit',
  ]);
  if (
    q.pipeline !== undefined &&
    !(PIPELINES as readonly string[]).includes(q.pipeline)
  ) {
    throw new InputError(`pipeline must be one of ${PIPELINES.join(', ')}`);
  }
  if (q.search !== undefined && q.search.length > 100) {
    throw new InputError('search is longer than 100 characters');
  }
  return {
    filter: {
      pipeline: q.pipeline as (typeof PIPELINES)[number] | undefined,
      inCatalog: flag(q, 'inCatalog'),
      ownerKnown: flag(q, 'ownerKnown'),
      search: q.search || undefined,
    },
    page: pageOf(q),
  };
}

export function createFleetRouter(deps: {
  catalog: CatalogService;
  httpAuth: HttpAuthService;
  userInfo: UserInfoService;
  groups: OwnershipService;
  /** The adoption map, for the platform team (the portal admins). */
  adoption?: Adoption;
  ownership?: Ownership;
}): express.Router {
  const router = Router();

  /** The platform team: the portal admins (goldenPath.admins). */
  async function platformTeam(req: express.Request) {
    const credentials = await deps.httpAuth.credentials(req, {
      allow: ['user'],
    });
    const caller = await deps.ownership!.caller(
      credentials.principal.userEntityRef,
    );
    if (!caller.isAdmin) {
      throw new NotAllowedError(
        'The adoption map is for the platform team (the portal admins)',
      );
    }
  }

  if (deps.adoption && deps.ownership) {
    const adoption = deps.adoption;
    router.get('/golden-path/adoption', async (req, res) => {
      checkedQuery(req.query as Record<string, unknown>, []);
      await platformTeam(req);
      res.json(await adoption.summary());
    });
    router.get('/golden-path/repositories', async (req, res) => {
      const { filter, page } = repositoriesQuery(
        req.query as Record<string, unknown>,
      );
      await platformTeam(req);
      res.json(await adoption.list(filter, page));
    });
  }

  router.get('/golden-path/fleet', async (req, res) => {
    const credentials = await deps.httpAuth.credentials(req, {
      allow: ['user'],
    });
    const query = fleetQuery(req.query as Record<string, unknown>);
    let ownerRefs: string[] | undefined;
    if (query.mine) {
      // What the person owns through (their identity's ownership refs:
      // themself and their teams), and every group below those teams.
      const { ownershipEntityRefs } = await deps.userInfo.getUserInfo(
        credentials,
      );
      ownerRefs = await deps.groups.withDescendants(ownershipEntityRefs);
    }
    if (query.ownerRef) {
      ownerRefs = (ownerRefs ?? [query.ownerRef]).filter(
        ref => ref === query.ownerRef,
      );
    }
    res.json(
      await readFleet(deps.catalog, credentials, {
        ownerRefs,
        behindOnly: query.behindOnly,
        offset: query.offset,
        limit: query.limit,
      }),
    );
  });
  return router;
}
