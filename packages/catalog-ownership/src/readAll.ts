import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { ServiceUnavailableError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';

/** Entities per catalog page when reading everything a query finds. */
export const CATALOG_PAGE = 500;

type QueryRequest = NonNullable<Parameters<CatalogService['queryEntities']>[0]>;

/**
 * A catalog query, as `queryEntities` takes its first page (filter, fields,
 * order, full-text filter), without the paging.
 */
export type CatalogQuery = Omit<
  Exclude<QueryRequest, { cursor: string }>,
  'limit' | 'offset'
>;

/**
 * Every entity a catalog query finds, page by page (the catalog answers 500
 * at most per call). The one pagination loop of the portal's backends.
 */
export async function readAllEntities(
  catalog: CatalogService,
  query: CatalogQuery,
  credentials: BackstageCredentials,
): Promise<Entity[]> {
  const entities: Entity[] = [];
  for await (const page of entityPages(catalog, query, credentials)) {
    entities.push(...page);
  }
  return entities;
}

/**
 * The pages of a catalog query, one at a time: for callers that act on each
 * page and need not hold all of them (a scheduled task over every
 * component).
 */
export async function* entityPages(
  catalog: CatalogService,
  query: CatalogQuery,
  credentials: BackstageCredentials,
): AsyncGenerator<Entity[]> {
  let cursor: string | undefined;
  do {
    const request = cursor
      ? { cursor, limit: CATALOG_PAGE }
      : { ...query, limit: CATALOG_PAGE };
    const page = await fromCatalog(() =>
      catalog.queryEntities(request, { credentials }),
    );
    yield page.items;
    cursor = page.pageInfo.nextCursor;
  } while (cursor);
}

/**
 * A catalog call whose failure is the catalog's, not the caller's: when the
 * catalog cannot be reached or answers 5xx, the request that needed it gets
 * 503 (ServiceUnavailableError) saying so, not a 500 that reads like a bug
 * of the plugin. A 4xx from the catalog is passed on as it is.
 */
export async function fromCatalog<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const status =
      (error as { statusCode?: number }).statusCode ??
      (error as { response?: { status?: number } }).response?.status;
    if (typeof status === 'number' && status < 500) throw error;
    throw new ServiceUnavailableError(
      `The catalog could not be read: ${(error as Error).message}`,
      error,
    );
  }
}
