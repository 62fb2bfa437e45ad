import { AuthService } from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { RefreshingValue } from '@portal/common';
import { DashboardEntry } from '@portal/plugin-bi-common';
import { listDashboards } from '@portal/plugin-bi-node';

/**
 * Every dashboard of the catalog, as the BI backend itself may see them,
 * read at most once a `ttlMs` (one minute) however many people open the BI
 * hub, and refreshed in the background (RefreshingValue): reading them
 * walks every entity with a dashboard link, thousands in a large
 * organisation. Callers that are only allowed part of the catalog must not
 * be given this list (see the router).
 */
export class DashboardCache {
  private readonly entries: RefreshingValue<DashboardEntry[]>;

  constructor(deps: {
    catalog: CatalogService;
    auth: AuthService;
    ttlMs?: number;
    now?: () => number;
  }) {
    this.entries = new RefreshingValue(
      async () =>
        listDashboards(
          deps.catalog,
          await deps.auth.getOwnServiceCredentials(),
        ),
      { maxAgeMs: deps.ttlMs ?? 60_000, now: deps.now },
    );
  }

  async get(): Promise<DashboardEntry[]> {
    return this.entries.get();
  }
}

/** Whether an entry matches a free-text search (every word, anywhere). */
export function matchesSearch(entry: DashboardEntry, search: string): boolean {
  const haystack = [
    entry.title,
    entry.tool,
    entry.entityTitle,
    entry.entityRef,
    entry.ownerRef,
    entry.systemRef,
    entry.domainRef,
  ]
    .filter(Boolean)
    .join(' ')
    .toLowerCase();
  return search
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every(word => haystack.includes(word));
}
