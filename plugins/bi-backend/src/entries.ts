import { AuthService } from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { DashboardEntry } from '@portal/plugin-bi-common';
import { listDashboards } from '@portal/plugin-bi-node';

/**
 * Every dashboard of the catalog, as the BI backend itself may see them,
 * read at most once a `ttlMs` (one minute) however many people open the BI
 * hub: reading them walks every entity with a dashboard link, thousands in
 * a large organisation. Callers that are only allowed part of the catalog
 * must not be given this list (see the router).
 */
export class DashboardCache {
  private cached?: { at: number; entries: Promise<DashboardEntry[]> };

  constructor(
    private readonly deps: {
      catalog: CatalogService;
      auth: AuthService;
      ttlMs?: number;
      now?: () => number;
    },
  ) {}

  async get(): Promise<DashboardEntry[]> {
    const now = (this.deps.now ?? Date.now)();
    const ttl = this.deps.ttlMs ?? 60_000;
    if (!this.cached || now - this.cached.at >= ttl) {
      const entries = this.deps.auth
        .getOwnServiceCredentials()
        .then(credentials => listDashboards(this.deps.catalog, credentials));
      const cached = { at: now, entries };
      this.cached = cached;
      // A failed read is not kept: the next call tries again.
      entries.catch(() => {
        if (this.cached === cached) this.cached = undefined;
      });
    }
    return this.cached.entries;
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
