import {
  createApiRef,
  DiscoveryApi,
  FetchApi,
} from '@backstage/core-plugin-api';
import { bodyOf, entityPath } from '@portal/common';
import {
  DashboardPage,
  DefaultApiClient,
  ProductEconomics,
} from '@portal/plugin-bi-common';

export type { DashboardPage };

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

/**
 * The BI backend through its generated client (from the backend's OpenAPI
 * spec), with the app's fetchApi, which sends the person's token.
 */
export class BiClient implements BiApi {
  private readonly client: DefaultApiClient;

  constructor(deps: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.client = new DefaultApiClient(deps);
  }

  async listDashboards(query: {
    search?: string;
    limit: number;
    cursor?: string;
  }): Promise<DashboardPage> {
    return bodyOf(
      this.client.listDashboards({
        query: {
          limit: query.limit,
          search: query.search || undefined,
          cursor: query.cursor || undefined,
        },
      }),
    );
  }

  async getEconomics(entityRef: string): Promise<ProductEconomics> {
    return bodyOf(
      this.client.getProductEconomics({ path: entityPath(entityRef) }),
    );
  }
}
