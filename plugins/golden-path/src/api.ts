import {
  createApiRef,
  DiscoveryApi,
  FetchApi,
} from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import { FleetPage } from '@portal/common';

export type { FleetPage };

/** What the fleet is asked for: a page, filtered. */
export interface FleetQuery {
  behindOnly?: boolean;
  /** Only the services of the signed-in person's teams (and below). */
  mine?: boolean;
  cursor?: string;
  limit: number;
}

/** The golden path's fleet, as the frontend sees it. */
export interface GoldenPathApi {
  fleet(query: FleetQuery): Promise<FleetPage>;
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

  async fleet(query: FleetQuery): Promise<FleetPage> {
    const params = new URLSearchParams({ limit: String(query.limit) });
    if (query.behindOnly) params.set('behindOnly', 'true');
    if (query.mine) params.set('mine', 'true');
    if (query.cursor) params.set('cursor', query.cursor);
    const base = await this.deps.discoveryApi.getBaseUrl('scaffolder');
    const res = await this.deps.fetchApi.fetch(
      `${base}/golden-path/fleet?${params}`,
    );
    if (!res.ok) throw await ResponseError.fromResponse(res);
    return res.json();
  }
}

/** The bulk upgrade template's form, filled in with these services. */
export function fleetUpgradeLink(entityRefs: string[]): string {
  const formData = encodeURIComponent(
    JSON.stringify({ components: entityRefs }),
  );
  return `/create/templates/default/fleet-upgrade-golden-path?formData=${formData}`;
}
