import {
  createApiRef,
  DiscoveryApi,
  FetchApi,
} from '@backstage/core-plugin-api';
import { bodyOf, entityPath, groupPath } from '@portal/common';
import {
  DefaultApiClient,
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

/**
 * The SRE backend through its generated client (from the backend's OpenAPI
 * spec), with the app's fetchApi, which sends the person's token.
 */
export class SreClient implements SreApi {
  private readonly client: DefaultApiClient;

  constructor(deps: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.client = new DefaultApiClient(deps);
  }

  status() {
    return bodyOf(this.client.getStatus({}));
  }
  entitySlos(entityRef: string, cursor?: string) {
    return bodyOf(
      this.client.listEntitySlos({
        path: entityPath(entityRef),
        query: { cursor },
      }),
    );
  }
  groupSlos(groupRef: string, cursor?: string) {
    return bodyOf(
      this.client.listGroupSlos({
        path: groupPath(groupRef),
        query: { cursor, limit: 50 },
      }),
    );
  }
  history(sloId: string, days: number) {
    return bodyOf(
      this.client.getSloHistory({ path: { id: sloId }, query: { days } }),
    );
  }
  entityAlerts(entityRef: string, cursor?: string) {
    return bodyOf(
      this.client.listEntityAlerts({
        path: entityPath(entityRef),
        query: { cursor },
      }),
    );
  }
  observability(entityRef: string) {
    return bodyOf(
      this.client.getEntityObservability({ path: entityPath(entityRef) }),
    );
  }
  entityDelivery(entityRef: string) {
    return bodyOf(
      this.client.getEntityDelivery({ path: entityPath(entityRef) }),
    );
  }
  groupDelivery(groupRef: string) {
    return bodyOf(this.client.getGroupDelivery({ path: groupPath(groupRef) }));
  }
  groupAlerts(groupRef: string, cursor?: string) {
    return bodyOf(
      this.client.listGroupAlerts({
        path: groupPath(groupRef),
        query: { cursor },
      }),
    );
  }
  mySummary() {
    return bodyOf(this.client.getMySummary({}));
  }
}
