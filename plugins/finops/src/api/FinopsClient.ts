import {
  createApiRef,
  DiscoveryApi,
  FetchApi,
} from '@backstage/core-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import {
  AllocationResult,
  Page,
  CostShare,
  CostSummary,
  GroupCost,
  MyCostSummary,
  OrganisationCost,
  Recommendation,
  SourceStatus,
  UnattributedSpend,
} from '@portal/plugin-finops-common';

/** The FinOps backend, as the frontend sees it. */
export interface FinopsApi {
  getEntityCost(entityRef: string, days: number): Promise<CostSummary>;
  getGroupCost(groupRef: string, days: number): Promise<GroupCost>;
  listGroupEntities(
    groupRef: string,
    days: number,
    page: { limit: number; cursor?: string },
  ): Promise<Page<CostShare>>;
  getOrganisationCost(months: number): Promise<OrganisationCost>;
  listUnattributed(
    days: number,
    page: { limit: number; cursor?: string },
  ): Promise<Page<UnattributedSpend> & { total: number }>;
  getStatus(): Promise<{ sources: SourceStatus[]; demo: boolean }>;
  getAllocations(
    days: number,
  ): Promise<{ from: string; to: string; items: AllocationResult[] }>;
  getRecommendations(): Promise<{ items: Recommendation[] }>;
  /** Where the organisation's CSV export downloads from. */
  exportUrl(months: number): Promise<string>;
  setBudget(groupRef: string, monthlyAmount: number): Promise<void>;
  /** The signed-in person's teams' cost (the home page). */
  getMySummary(): Promise<MyCostSummary>;
}

export const finopsApiRef = createApiRef<FinopsApi>({ id: 'plugin.finops' });

export class FinopsClient implements FinopsApi {
  constructor(
    private readonly deps: { discoveryApi: DiscoveryApi; fetchApi: FetchApi },
  ) {}

  getEntityCost(entityRef: string, days: number): Promise<CostSummary> {
    const { kind, namespace, name } = parseEntityRef(entityRef);
    return this.get(
      `/entities/${[kind, namespace, name]
        .map(encodeURIComponent)
        .join('/')}/cost?days=${days}`,
    );
  }

  getGroupCost(groupRef: string, days: number): Promise<GroupCost> {
    return this.get(`${this.groupPath(groupRef)}/cost?days=${days}`);
  }

  listGroupEntities(
    groupRef: string,
    days: number,
    page: { limit: number; cursor?: string },
  ): Promise<Page<CostShare>> {
    const params = new URLSearchParams({
      days: String(days),
      limit: String(page.limit),
    });
    if (page.cursor) params.set('cursor', page.cursor);
    return this.get(`${this.groupPath(groupRef)}/entities?${params}`);
  }

  getOrganisationCost(months: number): Promise<OrganisationCost> {
    return this.get(`/organisation/cost?months=${months}`);
  }

  listUnattributed(
    days: number,
    page: { limit: number; cursor?: string },
  ): Promise<Page<UnattributedSpend> & { total: number }> {
    const params = new URLSearchParams({
      days: String(days),
      limit: String(page.limit),
    });
    if (page.cursor) params.set('cursor', page.cursor);
    return this.get(`/organisation/unattributed?${params}`);
  }

  getStatus(): Promise<{ sources: SourceStatus[]; demo: boolean }> {
    return this.get('/status');
  }

  getAllocations(
    days: number,
  ): Promise<{ from: string; to: string; items: AllocationResult[] }> {
    return this.get(`/organisation/allocations?days=${days}`);
  }

  getRecommendations(): Promise<{ items: Recommendation[] }> {
    return this.get('/organisation/recommendations');
  }

  getMySummary(): Promise<MyCostSummary> {
    return this.get('/me/summary');
  }

  async exportUrl(months: number): Promise<string> {
    const baseUrl = await this.deps.discoveryApi.getBaseUrl('finops');
    return `${baseUrl}/organisation/export.csv?months=${months}`;
  }

  async setBudget(groupRef: string, monthlyAmount: number): Promise<void> {
    const baseUrl = await this.deps.discoveryApi.getBaseUrl('finops');
    const response = await this.deps.fetchApi.fetch(
      `${baseUrl}/budgets/${this.groupPath(groupRef).replace('/groups/', '')}`,
      {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ monthlyAmount }),
      },
    );
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
  }

  private groupPath(groupRef: string) {
    const { namespace, name } = parseEntityRef(groupRef);
    return `/groups/${encodeURIComponent(namespace)}/${encodeURIComponent(
      name,
    )}`;
  }

  private async get<T>(path: string): Promise<T> {
    const baseUrl = await this.deps.discoveryApi.getBaseUrl('finops');
    const response = await this.deps.fetchApi.fetch(`${baseUrl}${path}`);
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return response.json();
  }
}
