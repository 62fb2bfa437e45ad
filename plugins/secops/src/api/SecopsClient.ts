import {
  createApiRef,
  DiscoveryApi,
  FetchApi,
} from '@backstage/core-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import {
  Exemption,
  Finding,
  FindingCategory,
  FindingStatus,
  FindingSummary,
  GateDecision,
  MySecuritySummary,
  Page,
  Severity,
} from '@portal/plugin-secops-common';

export interface FindingsQuery {
  status?: FindingStatus;
  severity?: Severity[];
  category?: FindingCategory[];
  search?: string;
  limit?: number;
  cursor?: string;
}

/** The gate as it stands now, and the last answer CI got. */
export interface GateStatus {
  current: GateDecision;
  last?: GateDecision;
}

/** One entity in a group's roll-up. */
export interface PostureRow {
  entityRef: string;
  title: string;
  kind: string;
  type?: string;
  owner?: string;
  open: Record<Severity, number>;
  overdue: number;
  lastScanAt?: string;
}

/** What a group and its sub-groups own, worst first. */
export interface GroupPosture {
  groupRef: string;
  totals: { open: Record<Severity, number>; overdue: number; scanned: number };
  items: PostureRow[];
  totalCount: number;
  /** Entities the viewer may not see. */
  hidden: number;
}

/** One team in the organisation view. */
export interface TeamPosture {
  groupRef: string;
  title: string;
  entities: number;
  scanned: number;
  open: Record<Severity, number>;
  overdue: number;
}

/** An entity exposed to an advisory. */
export interface Exposure {
  entityRef: string;
  findings: number;
  worst: Severity;
  packages: string[];
}

/** Open findings by severity at the end of a day. */
export interface TrendPoint {
  day: string;
  open: Record<Severity, number>;
}

/** The SecOps backend, as the frontend sees it. */
export interface SecopsApi {
  getSummary(entityRef: string): Promise<FindingSummary>;
  listFindings(entityRef: string, query: FindingsQuery): Promise<Page<Finding>>;
  getGate(entityRef: string): Promise<GateStatus>;
  /** Of an entity (component:…) or a group (group:…, its roll-up). */
  getTrend(entityRef: string, days: number): Promise<{ items: TrendPoint[] }>;
  getGroupPosture(
    groupRef: string,
    page: { limit: number; offset: number },
  ): Promise<GroupPosture>;
  listExemptions(entityRef: string): Promise<Page<Exemption>>;
  listTeams(): Promise<{ items: TeamPosture[] }>;
  /** The signed-in person's teams and their failing gates (the home page). */
  getMySummary(): Promise<MySecuritySummary>;
  topRisks(limit: number): Promise<{ items: Finding[] }>;
  findExposure(id: string): Promise<{ id: string; items: Exposure[] }>;
  requestExemption(
    findingId: string,
    request: { justification: string; expiresAt: string },
  ): Promise<Exemption>;
  decideExemption(
    exemptionId: string,
    decision: { decision: 'approve' | 'reject'; comment?: string },
  ): Promise<Exemption>;
}

export const secopsApiRef = createApiRef<SecopsApi>({ id: 'plugin.secops' });

export class SecopsClient implements SecopsApi {
  constructor(
    private readonly deps: { discoveryApi: DiscoveryApi; fetchApi: FetchApi },
  ) {}

  getSummary(entityRef: string): Promise<FindingSummary> {
    return this.get(`${this.entityPath(entityRef)}/summary`);
  }

  listFindings(
    entityRef: string,
    query: FindingsQuery,
  ): Promise<Page<Finding>> {
    const params = new URLSearchParams();
    if (query.status) params.set('status', query.status);
    if (query.severity?.length)
      params.set('severity', query.severity.join(','));
    if (query.category?.length)
      params.set('category', query.category.join(','));
    if (query.search) params.set('search', query.search);
    if (query.limit) params.set('limit', String(query.limit));
    if (query.cursor) params.set('cursor', query.cursor);
    return this.get(`${this.entityPath(entityRef)}/findings?${params}`);
  }

  getGate(entityRef: string): Promise<GateStatus> {
    return this.get(`${this.entityPath(entityRef)}/gate`);
  }

  getTrend(entityRef: string, days: number): Promise<{ items: TrendPoint[] }> {
    const { kind, namespace, name } = parseEntityRef(entityRef);
    const path =
      kind.toLowerCase() === 'group'
        ? `/groups/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`
        : this.entityPath(entityRef);
    return this.get(`${path}/trend?days=${days}`);
  }

  getGroupPosture(
    groupRef: string,
    page: { limit: number; offset: number },
  ): Promise<GroupPosture> {
    const { namespace, name } = parseEntityRef(groupRef);
    return this.get(
      `/groups/${encodeURIComponent(namespace)}/${encodeURIComponent(
        name,
      )}/posture?limit=${page.limit}&offset=${page.offset}`,
    );
  }

  listTeams(): Promise<{ items: TeamPosture[] }> {
    return this.get('/organisation/teams');
  }

  getMySummary(): Promise<MySecuritySummary> {
    return this.get('/me/summary');
  }

  topRisks(limit: number): Promise<{ items: Finding[] }> {
    return this.get(`/organisation/top-risks?limit=${limit}`);
  }

  findExposure(id: string): Promise<{ id: string; items: Exposure[] }> {
    return this.get(`/organisation/exposure?id=${encodeURIComponent(id)}`);
  }

  listExemptions(entityRef: string): Promise<Page<Exemption>> {
    return this.get(`${this.entityPath(entityRef)}/exemptions?limit=50`);
  }

  requestExemption(
    findingId: string,
    request: { justification: string; expiresAt: string },
  ): Promise<Exemption> {
    return this.post(
      `/findings/${encodeURIComponent(findingId)}/exemptions`,
      request,
    );
  }

  decideExemption(
    exemptionId: string,
    decision: { decision: 'approve' | 'reject'; comment?: string },
  ): Promise<Exemption> {
    return this.post(
      `/exemptions/${encodeURIComponent(exemptionId)}/decision`,
      decision,
    );
  }

  private async post<T>(path: string, body: unknown): Promise<T> {
    const baseUrl = await this.deps.discoveryApi.getBaseUrl('secops');
    const response = await this.deps.fetchApi.fetch(`${baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return response.json();
  }

  private entityPath(entityRef: string) {
    const { kind, namespace, name } = parseEntityRef(entityRef);
    return `/entities/${encodeURIComponent(kind)}/${encodeURIComponent(
      namespace,
    )}/${encodeURIComponent(name)}`;
  }

  private async get<T>(path: string): Promise<T> {
    const baseUrl = await this.deps.discoveryApi.getBaseUrl('secops');
    const response = await this.deps.fetchApi.fetch(`${baseUrl}${path}`);
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return response.json();
  }
}
