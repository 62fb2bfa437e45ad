import { HttpAuthService } from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { parseRequest } from '@portal/request-validation';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod/v3';
import { listDashboards, matchesSearch } from './entries';

const listQuery = z
  .object({
    search: z.string().trim().max(200).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z
      .string()
      .regex(/^\d{1,9}$/, 'cursor must come from a previous page')
      .optional(),
  })
  .strict();

export async function createRouter(deps: {
  httpAuth: HttpAuthService;
  catalog: CatalogService;
}): Promise<express.Router> {
  const router = Router();

  /**
   * The dashboards the caller may see, a page at a time, ordered by domain
   * and system; `search` keeps those whose title, tool, entity, owner,
   * system or domain has every word.
   */
  router.get('/dashboards', async (req, res) => {
    const credentials = await deps.httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const query = parseRequest(listQuery, req.query);
    const all = await listDashboards(deps.catalog, credentials);
    const found = query.search
      ? all.filter(entry => matchesSearch(entry, query.search!))
      : all;
    const offset = Number(query.cursor ?? 0);
    res.json({
      items: found.slice(offset, offset + query.limit),
      totalCount: found.length,
      nextCursor:
        offset + query.limit < found.length
          ? String(offset + query.limit)
          : undefined,
    });
  });

  return router;
}
