import {
  createApiRef,
  DiscoveryApi,
  FetchApi,
} from '@backstage/core-plugin-api';
import { bodyOf, entityPath, groupPath, okResponse } from '@portal/common';
import {
  AllocationResult,
  DefaultApiClient,
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
  /** The organisation's CSV export, month by month. */
  exportCsv(months: number): Promise<Blob>;
  setBudget(groupRef: string, monthlyAmount: number): Promise<void>;
  /** The signed-in person's teams' cost (the home page). */
  getMySummary(): Promise<MyCostSummary>;
}

export const finopsApiRef = createApiRef<FinopsApi>({ id: 'plugin.finops' });

/**
 * The FinOps backend through its generated client (from the backend's
 * OpenAPI spec), with the app's fetchApi, which sends the person's token.
 */
export class FinopsClient implements FinopsApi {
  private readonly client: DefaultApiClient;

  constructor(deps: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.client = new DefaultApiClient(deps);
  }

  getEntityCost(entityRef: string, days: number) {
    return bodyOf(
      this.client.getEntityCost({
        path: entityPath(entityRef),
        query: { days },
      }),
    );
  }

  getGroupCost(groupRef: string, days: number) {
    return bodyOf(
      this.client.getGroupCost({ path: groupPath(groupRef), query: { days } }),
    );
  }

  listGroupEntities(
    groupRef: string,
    days: number,
    page: { limit: number; cursor?: string },
  ) {
    return bodyOf(
      this.client.listGroupEntities({
        path: groupPath(groupRef),
        query: { days, limit: page.limit, cursor: page.cursor },
      }),
    );
  }

  getOrganisationCost(months: number) {
    return bodyOf(this.client.getOrganisationCost({ query: { months } }));
  }

  listUnattributed(days: number, page: { limit: number; cursor?: string }) {
    return bodyOf(
      this.client.listUnattributed({
        query: { days, limit: page.limit, cursor: page.cursor },
      }),
    );
  }

  getStatus() {
    return bodyOf(this.client.getStatus({}));
  }

  getAllocations(days: number) {
    return bodyOf(this.client.getAllocations({ query: { days } }));
  }

  getRecommendations() {
    return bodyOf(this.client.getRecommendations({}));
  }

  getMySummary() {
    return bodyOf(this.client.getMySummary({}));
  }

  async exportCsv(months: number): Promise<Blob> {
    const res = await okResponse(
      this.client.exportOrganisationCost({ query: { months } }),
    );
    return res.blob();
  }

  async setBudget(groupRef: string, monthlyAmount: number): Promise<void> {
    await okResponse(
      this.client.setBudget({
        path: groupPath(groupRef),
        body: { monthlyAmount },
      }),
    );
  }
}
