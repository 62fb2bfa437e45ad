import {
  createApiRef,
  DiscoveryApi,
  FetchApi,
} from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import { AdoptionSummary, FleetPage, RepositoryState } from '@portal/common';

export type { AdoptionSummary, FleetPage, RepositoryState };

/** What the repositories are narrowed to, and the page. */
export interface RepositoryQuery {
  pipeline?: RepositoryState['pipeline'];
  inCatalog?: boolean;
  ownerKnown?: boolean;
  search?: string;
  cursor?: string;
  limit: number;
}

/** What the fleet is asked for: a page, filtered. */
export interface FleetQuery {
  behindOnly?: boolean;
  /**
   * Only what the signed-in person owns: themself and their teams (and the
   * groups below).
   */
  mine?: boolean;
  cursor?: string;
  limit: number;
}

/** The golden path's fleet, as the frontend sees it. */
export interface GoldenPathApi {
  fleet(query: FleetQuery): Promise<FleetPage>;
  /** The adoption map (the platform team). */
  adoption(): Promise<AdoptionSummary>;
  repositories(query: RepositoryQuery): Promise<{
    items: RepositoryState[];
    totalCount: number;
    nextCursor?: string;
  }>;
}

export const goldenPathApiRef = createApiRef<GoldenPathApi>({
  id: 'plugin.golden-path',
});

/**
 * The fleet route the golden path's scaffolder module adds
 * (`GET /api/scaffolder/golden-path/fleet`), with the app's fetchApi, which
 * sends the person's token.
 */
export class GoldenPathClient implements GoldenPathApi {
  constructor(
    private readonly deps: { discoveryApi: DiscoveryApi; fetchApi: FetchApi },
  ) {}

  private async get<T>(path: string, query: Record<string, unknown> = {}) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== '' && value !== false) {
        params.set(key, String(value));
      }
    }
    const base = await this.deps.discoveryApi.getBaseUrl('scaffolder');
    const res = await this.deps.fetchApi.fetch(
      `${base}/golden-path/${path}${params.size ? `?${params}` : ''}`,
    );
    if (!res.ok) throw await ResponseError.fromResponse(res);
    return (await res.json()) as T;
  }

  fleet(query: FleetQuery): Promise<FleetPage> {
    return this.get('fleet', { ...query });
  }

  adoption(): Promise<AdoptionSummary> {
    return this.get('adoption');
  }

  repositories(query: RepositoryQuery) {
    // false is a filter here (not in the catalog), so it is sent as such.
    return this.get<{
      items: RepositoryState[];
      totalCount: number;
      nextCursor?: string;
    }>('repositories', {
      ...query,
      inCatalog:
        query.inCatalog === undefined ? undefined : String(query.inCatalog),
      ownerKnown:
        query.ownerKnown === undefined ? undefined : String(query.ownerKnown),
    });
  }
}

/** The bulk upgrade template's form, filled in with these services. */
export function fleetUpgradeLink(entityRefs: string[]): string {
  const formData = encodeURIComponent(
    JSON.stringify({ components: entityRefs }),
  );
  return `/create/templates/default/fleet-upgrade-golden-path?formData=${formData}`;
}

/** The adopt template's form, filled in with this repository. */
export function adoptLink(repository: string): string {
  const formData = encodeURIComponent(JSON.stringify({ repository }));
  return `/create/templates/default/adopt-golden-path?formData=${formData}`;
}
