import {
  createApiRef,
  DiscoveryApi,
  FetchApi,
} from '@backstage/core-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { bodyOf, entityPath, groupPath, okResponse } from '@portal/common';
import {
  AssignmentResult,
  TicketResult,
  EntityScorecard,
  Leaderboard,
  ScorecardCheckList,
  GroupScorecard,
  ScorecardEvaluation,
  ComplianceFrameworkList,
  ComplianceStatus,
  Campaign,
  CampaignList,
  CampaignRequest,
  CheckExemption,
  CheckExemptionList,
  CurrentGatePolicies,
  DefaultApiClient,
  Exemption,
  ExemptionPage,
  ExposureList,
  FindingCategory,
  FindingPage,
  FindingStatus,
  FindingSummary,
  GatePolicy,
  GatePolicyPreview,
  GatePolicyVersion,
  GatePolicyVersionPage,
  GateStatus,
  GroupPosture,
  MySecuritySummary,
  OffPathException,
  OffPathExceptionPage,
  OffPathExceptionRequest,
  Severity,
  TeamPostureList,
  TopRisks,
  Trend,
} from '@portal/plugin-secops-common';

/** Which of an entity's findings to list (the findings table's filters). */
export interface FindingsQuery {
  status?: FindingStatus;
  severity?: Severity[];
  category?: FindingCategory[];
  search?: string;
  /** Only findings whose CVE is (true) or is not (false) known exploited. */
  knownExploited?: boolean;
  /** Worst severity first (the default), or highest EPSS score first. */
  sort?: 'severity' | 'epss';
  /** Only findings assigned to this person (a user entity ref), or to nobody. */
  assignee?: string | 'none';
  limit?: number;
  cursor?: string;
}

/** The SecOps backend, as the frontend sees it. */
export interface SecopsApi {
  getSummary(entityRef: string): Promise<FindingSummary>;
  listFindings(entityRef: string, query: FindingsQuery): Promise<FindingPage>;
  /** Assigns open findings to a member of the owning team, or to nobody. */
  assignFindings(
    findingIds: string[],
    assignee: string | null,
  ): Promise<AssignmentResult>;
  /** One GitHub issue per advisory and repository for open findings. */
  openFindingTickets(findingIds: string[]): Promise<TicketResult>;
  getEntityScorecard(entityRef: string): Promise<EntityScorecard>;
  getLeaderboard(page: { limit: number; offset: number }): Promise<Leaderboard>;
  listScorecardChecks(): Promise<ScorecardCheckList>;
  getGroupScorecard(groupRef: string): Promise<GroupScorecard>;
  /** The security team evaluates every scorecard now. */
  evaluateScorecards(): Promise<ScorecardEvaluation>;
  listComplianceFrameworks(): Promise<ComplianceFrameworkList>;
  listCampaigns(): Promise<CampaignList>;
  listCheckExemptions(entityRef: string): Promise<CheckExemptionList>;
  requestCheckExemption(
    entityRef: string,
    request: { checkId: string; justification: string; expiresAt: string },
  ): Promise<CheckExemption>;
  decideCheckExemption(
    id: string,
    decision: { decision: 'approve' | 'reject'; comment?: string },
  ): Promise<CheckExemption>;
  getCampaign(id: string): Promise<Campaign>;
  /** The security team starts a campaign. */
  createCampaign(request: CampaignRequest): Promise<Campaign>;
  /** Of the organisation, or of a group's or an entity's (by ref). */
  getComplianceStatus(
    frameworkId: string,
    scope: { groupRef?: string; entityRef?: string },
  ): Promise<ComplianceStatus>;
  /** The evidence archive for auditors (the security team). */
  downloadComplianceEvidence(
    frameworkId: string,
  ): Promise<{ blob: Blob; fileName: string }>;
  getGate(entityRef: string): Promise<GateStatus>;
  /** Of an entity (component:…) or a group (group:…, its roll-up). */
  getTrend(entityRef: string, days: number): Promise<Trend>;
  getGroupPosture(
    groupRef: string,
    page: { limit: number; offset: number },
  ): Promise<GroupPosture>;
  listExemptions(entityRef: string): Promise<ExemptionPage>;
  listTeams(): Promise<TeamPostureList>;
  /** The signed-in person's teams and their failing gates (the home page). */
  getMySummary(): Promise<MySecuritySummary>;
  topRisks(limit: number): Promise<TopRisks>;
  findExposure(id: string): Promise<ExposureList>;
  requestExemption(
    findingId: string,
    request: { justification: string; expiresAt: string },
  ): Promise<Exemption>;
  decideExemption(
    exemptionId: string,
    decision: { decision: 'approve' | 'reject'; comment?: string },
  ): Promise<Exemption>;
  /** The gate policies that apply now. */
  getGatePolicies(): Promise<CurrentGatePolicies>;
  /** The versions saved in the portal, newest first. */
  listGatePolicyVersions(limit: number): Promise<GatePolicyVersionPage>;
  /** What a change would do across the organisation (the security team). */
  previewGatePolicies(policies: GatePolicy[]): Promise<GatePolicyPreview>;
  /** Saves the policies as the next version after `basedOn` (the security team). */
  changeGatePolicies(change: {
    policies: GatePolicy[];
    reason: string;
    basedOn: number;
  }): Promise<GatePolicyVersion>;
  /** The register of workloads let off the golden path, a page of it. */
  listOffPathExceptions(query: {
    state?: OffPathException['state'];
    limit?: number;
    cursor?: string;
  }): Promise<OffPathExceptionPage>;
  /** The owners ask to let a workload off the path. */
  requestOffPathException(
    request: OffPathExceptionRequest,
  ): Promise<OffPathException>;
  /** The security team decides. */
  decideOffPathException(
    id: string,
    decision: { decision: 'approve' | 'reject'; comment?: string },
  ): Promise<OffPathException>;
}

export const secopsApiRef = createApiRef<SecopsApi>({ id: 'plugin.secops' });

/** A list filter as the backend reads it: comma-separated, left out when empty. */
const csv = (values?: string[]) =>
  values?.length ? values.join(',') : undefined;

/**
 * The SecOps backend through its generated client (from the backend's
 * OpenAPI spec), with the app's fetchApi, which sends the person's token.
 */
export class SecopsClient implements SecopsApi {
  private readonly client: DefaultApiClient;

  constructor(deps: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.client = new DefaultApiClient(deps);
  }

  getSummary(entityRef: string) {
    return bodyOf(
      this.client.getEntitySummary({ path: entityPath(entityRef) }),
    );
  }

  listFindings(entityRef: string, query: FindingsQuery) {
    return bodyOf(
      this.client.listEntityFindings({
        path: entityPath(entityRef),
        query: {
          status: query.status,
          severity: csv(query.severity),
          category: csv(query.category),
          search: query.search || undefined,
          knownExploited:
            query.knownExploited === undefined
              ? undefined
              : (String(query.knownExploited) as 'true' | 'false'),
          sort: query.sort,
          assignee: query.assignee,
          limit: query.limit || undefined,
          cursor: query.cursor || undefined,
        },
      }),
    );
  }

  getGate(entityRef: string) {
    return bodyOf(this.client.getEntityGate({ path: entityPath(entityRef) }));
  }

  getTrend(entityRef: string, days: number) {
    return bodyOf(
      parseEntityRef(entityRef).kind.toLowerCase() === 'group'
        ? this.client.getGroupTrend({
            path: groupPath(entityRef),
            query: { days },
          })
        : this.client.getEntityTrend({
            path: entityPath(entityRef),
            query: { days },
          }),
    );
  }

  getGroupPosture(groupRef: string, page: { limit: number; offset: number }) {
    return bodyOf(
      this.client.getGroupPosture({ path: groupPath(groupRef), query: page }),
    );
  }

  listTeams() {
    return bodyOf(this.client.listTeams({}));
  }

  getMySummary() {
    return bodyOf(this.client.getMySummary({}));
  }

  topRisks(limit: number) {
    return bodyOf(this.client.listTopRisks({ query: { limit } }));
  }

  findExposure(id: string) {
    return bodyOf(this.client.findExposure({ query: { id } }));
  }

  listExemptions(entityRef: string) {
    return bodyOf(
      this.client.listEntityExemptions({
        path: entityPath(entityRef),
        query: { limit: 50 },
      }),
    );
  }

  assignFindings(findingIds: string[], assignee: string | null) {
    return bodyOf(
      this.client.assignFindings({ body: { findingIds, assignee } }),
    );
  }

  openFindingTickets(findingIds: string[]) {
    return bodyOf(this.client.openFindingTickets({ body: { findingIds } }));
  }

  getEntityScorecard(entityRef: string) {
    return bodyOf(
      this.client.getEntityScorecard({ path: entityPath(entityRef) }),
    );
  }

  getLeaderboard(page: { limit: number; offset: number }) {
    return bodyOf(this.client.getLeaderboard({ query: page }));
  }

  listScorecardChecks() {
    return bodyOf(this.client.listScorecardChecks({}));
  }

  evaluateScorecards() {
    return bodyOf(this.client.evaluateScorecards({}));
  }

  listComplianceFrameworks() {
    return bodyOf(this.client.listComplianceFrameworks({}));
  }

  listCampaigns() {
    return bodyOf(this.client.listCampaigns({}));
  }

  listCheckExemptions(entityRef: string) {
    return bodyOf(
      this.client.listCheckExemptions({ path: entityPath(entityRef) }),
    );
  }

  requestCheckExemption(
    entityRef: string,
    request: { checkId: string; justification: string; expiresAt: string },
  ) {
    return bodyOf(
      this.client.requestCheckExemption({
        path: entityPath(entityRef),
        body: request,
      }),
    );
  }

  decideCheckExemption(
    id: string,
    decision: { decision: 'approve' | 'reject'; comment?: string },
  ) {
    return bodyOf(
      this.client.decideCheckExemption({ path: { id }, body: decision }),
    );
  }

  getCampaign(id: string) {
    return bodyOf(this.client.getCampaign({ path: { id } }));
  }

  createCampaign(request: CampaignRequest) {
    return bodyOf(this.client.createCampaign({ body: request }));
  }

  getComplianceStatus(
    frameworkId: string,
    scope: { groupRef?: string; entityRef?: string },
  ) {
    return bodyOf(
      this.client.getComplianceStatus({
        path: { id: frameworkId },
        query: scope,
      }),
    );
  }

  async downloadComplianceEvidence(frameworkId: string) {
    const response = await okResponse(
      this.client.exportComplianceEvidence({
        path: { id: frameworkId },
        query: {},
      }),
    );
    const disposition = response.headers.get('content-disposition') ?? '';
    const fileName =
      /filename="([^"]+)"/.exec(disposition)?.[1] ??
      `${frameworkId}-evidence.tar.gz`;
    return { blob: await response.blob(), fileName };
  }

  getGroupScorecard(groupRef: string) {
    return bodyOf(this.client.getGroupScorecard({ path: groupPath(groupRef) }));
  }

  requestExemption(
    findingId: string,
    request: { justification: string; expiresAt: string },
  ) {
    return bodyOf(
      this.client.requestExemption({ path: { id: findingId }, body: request }),
    );
  }

  decideExemption(
    exemptionId: string,
    decision: { decision: 'approve' | 'reject'; comment?: string },
  ) {
    return bodyOf(
      this.client.decideExemption({
        path: { id: exemptionId },
        body: decision,
      }),
    );
  }

  getGatePolicies() {
    return bodyOf(this.client.getGatePolicies({}));
  }

  listGatePolicyVersions(limit: number) {
    return bodyOf(this.client.listGatePolicyVersions({ query: { limit } }));
  }

  previewGatePolicies(policies: GatePolicy[]) {
    return bodyOf(this.client.previewGatePolicies({ body: { policies } }));
  }

  changeGatePolicies(change: {
    policies: GatePolicy[];
    reason: string;
    basedOn: number;
  }) {
    return bodyOf(this.client.changeGatePolicies({ body: change }));
  }

  listOffPathExceptions(query: {
    state?: OffPathException['state'];
    limit?: number;
    cursor?: string;
  }) {
    return bodyOf(
      this.client.listOffPathExceptions({
        query: {
          state: query.state,
          limit: query.limit,
          cursor: query.cursor || undefined,
        },
      }),
    );
  }

  requestOffPathException(request: OffPathExceptionRequest) {
    return bodyOf(this.client.requestOffPathException({ body: request }));
  }

  decideOffPathException(
    id: string,
    decision: { decision: 'approve' | 'reject'; comment?: string },
  ) {
    return bodyOf(
      this.client.decideOffPathException({ path: { id }, body: decision }),
    );
  }
}
