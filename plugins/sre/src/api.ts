import {
  createApiRef,
  DiscoveryApi,
  FetchApi,
} from '@backstage/core-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import {
  DeliveryMetrics,
  MySloSummary,
  ObservabilityLink,
  Page,
  ReliabilityAlert,
  Slo,
  SloDefinitionProblem,
  SloHistoryPoint,
  SreSourceStatus,
  TeamDelivery,
} from '@portal/plugin-sre-common';

export interface SloPage extends Page<Slo> {
  problems?: SloDefinitionProblem[];
  entityCount?: number;
}

/** The SRE backend, as the frontend sees it. */
export interface SreApi {
  status(): Promise<SreSourceStatus & { problems: SloDefinitionProblem[] }>;
  entitySlos(entityRef: string, cursor?: string): Promise<SloPage>;
  groupSlos(groupRef: string, cursor?: string): Promise<SloPage>;
  history(
    sloId: string,
    days: number,
  ): Promise<{ slo: Slo; points: SloHistoryPoint[] }>;
  entityAlerts(
    entityRef: string,
    cursor?: string,
  ): Promise<Page<ReliabilityAlert>>;
  observability(
    entityRef: string,
  ): Promise<{ configured: boolean; links: ObservabilityLink[] }>;
  entityDelivery(
    entityRef: string,
  ): Promise<{ configured: boolean; metrics?: DeliveryMetrics }>;
  groupDelivery(groupRef: string): Promise<{
    configured: boolean;
    team: TeamDelivery;
    entities: DeliveryMetrics[];
  }>;
  groupAlerts(
    groupRef: string,
    cursor?: string,
  ): Promise<Page<ReliabilityAlert>>;
  /** The signed-in person's teams' SLOs, worst first (the home page). */
  mySummary(): Promise<MySloSummary>;
}

export const sreApiRef = createApiRef<SreApi>({ id: 'plugin.sre' });

const path = (ref: string) => {
  const { kind, namespace, name } = parseEntityRef(ref);
  return [kind, namespace, name].map(encodeURIComponent).join('/');
};
const groupPath = (ref: string) => {
  const { namespace, name } = parseEntityRef(ref);
  return [namespace, name].map(encodeURIComponent).join('/');
};

export class SreClient implements SreApi {
  constructor(
    private readonly deps: { discoveryApi: DiscoveryApi; fetchApi: FetchApi },
  ) {}

  private async get<T>(
    route: string,
    query: Record<string, string | undefined> = {},
  ): Promise<T> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query))
      if (v !== undefined) params.set(k, v);
    const base = await this.deps.discoveryApi.getBaseUrl('sre');
    const qs = params.toString();
    const res = await this.deps.fetchApi.fetch(
      `${base}${route}${qs ? `?${qs}` : ''}`,
    );
    if (!res.ok) throw await ResponseError.fromResponse(res);
    return res.json();
  }

  status() {
    return this.get<SreSourceStatus & { problems: SloDefinitionProblem[] }>(
      '/status',
    );
  }
  entitySlos(entityRef: string, cursor?: string) {
    return this.get<SloPage>(`/entities/${path(entityRef)}/slos`, { cursor });
  }
  groupSlos(groupRef: string, cursor?: string) {
    return this.get<SloPage>(`/groups/${groupPath(groupRef)}/slos`, {
      cursor,
      limit: '50',
    });
  }
  history(sloId: string, days: number) {
    return this.get<{ slo: Slo; points: SloHistoryPoint[] }>(
      `/slos/${sloId}/history`,
      { days: String(days) },
    );
  }
  entityAlerts(entityRef: string, cursor?: string) {
    return this.get<Page<ReliabilityAlert>>(
      `/entities/${path(entityRef)}/alerts`,
      { cursor },
    );
  }
  observability(entityRef: string) {
    return this.get<{ configured: boolean; links: ObservabilityLink[] }>(
      `/entities/${path(entityRef)}/observability`,
    );
  }
  entityDelivery(entityRef: string) {
    return this.get<{ configured: boolean; metrics?: DeliveryMetrics }>(
      `/entities/${path(entityRef)}/delivery`,
    );
  }
  groupDelivery(groupRef: string) {
    return this.get<{
      configured: boolean;
      team: TeamDelivery;
      entities: DeliveryMetrics[];
    }>(`/groups/${groupPath(groupRef)}/delivery`);
  }
  groupAlerts(groupRef: string, cursor?: string) {
    return this.get<Page<ReliabilityAlert>>(
      `/groups/${groupPath(groupRef)}/alerts`,
      { cursor },
    );
  }
  mySummary() {
    return this.get<MySloSummary>('/me/summary');
  }
}
