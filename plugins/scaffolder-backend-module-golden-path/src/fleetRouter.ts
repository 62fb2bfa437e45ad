/*
 * The golden path's fleet for people: `GET /api/scaffolder/golden-path/fleet`
 * (the scaffolder's router, which this module extends), what the Golden
 * path page and the home page's widget show: every service made from (or
 * brought onto) a golden-path template that the caller may see in the
 * catalog, its template and version, the current one, whether it is
 * behind, and the fleet's versions counted; filtered by owner, to the
 * caller's own teams, or to those behind; a page at a time.
 */
import { HttpAuthService } from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { OwnershipService } from '@portal/catalog-ownership';
import express from 'express';
import Router from 'express-promise-router';
import { readFleet } from './templateVersions';

const PARAMS = new Set(['ownerRef', 'mine', 'behindOnly', 'cursor', 'limit']);

/** The query, checked: an unknown or malformed parameter is a 400 naming it. */
export function fleetQuery(query: Record<string, unknown>) {
  for (const key of Object.keys(query)) {
    if (!PARAMS.has(key)) {
      throw new InputError(
        `unknown query parameter "${key}" (use ${[...PARAMS].join(', ')})`,
      );
    }
    if (typeof query[key] !== 'string') {
      throw new InputError(`give the query parameter "${key}" once`);
    }
  }
  const q = query as Record<string, string | undefined>;
  const flag = (name: string) => {
    const value = q[name];
    if (value === undefined) return false;
    if (value !== 'true' && value !== 'false') {
      throw new InputError(`${name} must be true or false`);
    }
    return value === 'true';
  };
  const limit = q.limit === undefined ? 50 : Number(q.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw new InputError('limit must be a whole number from 1 to 100');
  }
  if (q.cursor !== undefined && !/^\d{1,9}$/.test(q.cursor)) {
    throw new InputError('cursor is not one this route gave');
  }
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
    mine: flag('mine'),
    behindOnly: flag('behindOnly'),
    offset: Number(q.cursor ?? 0),
    limit,
  };
}

export function createFleetRouter(deps: {
  catalog: CatalogService;
  httpAuth: HttpAuthService;
  groups: OwnershipService;
}): express.Router {
  const router = Router();
  router.get('/golden-path/fleet', async (req, res) => {
    const credentials = await deps.httpAuth.credentials(req, {
      allow: ['user'],
    });
    const query = fleetQuery(req.query as Record<string, unknown>);
    let ownerRefs: string[] | undefined;
    if (query.mine) {
      // The person's teams and every group below them.
      ownerRefs = await deps.groups.withDescendants(
        await deps.groups.groupsOf(credentials.principal.userEntityRef),
      );
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
