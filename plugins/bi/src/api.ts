import {
  createApiRef,
  DiscoveryApi,
  FetchApi,
} from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import { parseEntityRef } from '@backstage/catalog-model';
import { DashboardEntry, ProductEconomics } from '@portal/plugin-bi-common';

export interface DashboardPage {
  items: DashboardEntry[];
  totalCount: number;
  nextCursor?: string;
}

/** The BI backend, as the frontend sees it. */
export interface BiApi {
  listDashboards(query: {
    search?: string;
    limit: number;
    cursor?: string;
  }): Promise<DashboardPage>;
  getEconomics(entityRef: string): Promise<ProductEconomics>;
}

export const biApiRef = createApiRef<BiApi>({ id: 'plugin.bi' });

export class BiClient implements BiApi {
  constructor(
    private readonly deps: { discoveryApi: DiscoveryApi; fetchApi: FetchApi },
  ) {}

  async listDashboards(query: {
    search?: string;
    limit: number;
    cursor?: string;
  }): Promise<DashboardPage> {
    const params = new URLSearchParams({ limit: String(query.limit) });
    if (query.search) params.set('search', query.search);
    if (query.cursor) params.set('cursor', query.cursor);
    const baseUrl = await this.deps.discoveryApi.getBaseUrl('bi');
    const response = await this.deps.fetchApi.fetch(
      `${baseUrl}/dashboards?${params}`,
    );
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return response.json();
  }

  async getEconomics(entityRef: string): Promise<ProductEconomics> {
    const { kind, namespace, name } = parseEntityRef(entityRef);
    const baseUrl = await this.deps.discoveryApi.getBaseUrl('bi');
    const response = await this.deps.fetchApi.fetch(
      `${baseUrl}/products/${[kind, namespace, name]
        .map(encodeURIComponent)
        .join('/')}/economics`,
    );
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return response.json();
  }
}
