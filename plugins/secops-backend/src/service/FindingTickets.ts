/*
 * GitHub issues for findings: one issue per advisory (rule id) per
 * repository while it is open, linked both ways (the issue lists the
 * findings with links to their Security tab; each finding shows its issue).
 * The issue's state is read back on a schedule and shown; it never changes
 * a finding's status: only a scan that no longer reports a finding fixes
 * it.
 */
import {
  BackstageCredentials,
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { Entity, parseEntityRef } from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import {
  InputError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import {
  DefaultGithubCredentialsProvider,
  ScmIntegrations,
} from '@backstage/integration';
import { Octokit } from '@octokit/rest';
import {
  FindingTicket,
  secopsFindingAssignPermission,
  TicketResult,
} from '@portal/plugin-secops-common';
import { asFindingTicket, TicketStore } from '../database/TicketStore';
import { FindingStore, StoredFinding } from '../database/types';
import { PROJECT_SLUG_ANNOTATION } from '../github/GithubAlertsSource';
import { EntitySignals } from './EntitySignals';
import { SecopsAccess } from './SecopsAccess';

/** Findings ticketed in one request, at most. */
export const MAX_TICKETED = 100;
/** Tickets whose state is read back per run of the schedule, at most. */
const STATES_PER_RUN = 200;
/** GitHub's longest issue title. */
const MAX_TITLE = 256;

/** What the portal asks of GitHub's issues (Octokit, or a fake in tests). */
export interface IssuesClient {
  create(
    repository: string,
    issue: { title: string; body: string; labels: string[] },
  ): Promise<{ number: number; url: string; state: FindingTicket['state'] }>;
  get(
    repository: string,
    number: number,
  ): Promise<{ state: FindingTicket['state']; closedAt?: Date }>;
}

/**
 * GitHub's REST API for each repository, with the credentials of the
 * GitHub integration (a token or a GitHub App) and its API base URL.
 */
export function githubIssues(config: Config): IssuesClient {
  const integrations = ScmIntegrations.fromConfig(config);
  const credentials =
    DefaultGithubCredentialsProvider.fromIntegrations(integrations);
  const octokitFor = async (repository: string) => {
    const url = `https://github.com/${repository}`;
    const integration = integrations.github.byUrl(url);
    if (!integration) {
      throw new ServiceUnavailableError(
        `No GitHub integration is configured for ${url} (integrations.github)`,
      );
    }
    const { token } = await credentials.getCredentials({ url });
    return new Octokit({ auth: token, baseUrl: integration.config.apiBaseUrl });
  };
  const split = (repository: string) => {
    const [owner, repo] = repository.split('/');
    return { owner, repo };
  };
  return {
    async create(repository, issue) {
      const octokit = await octokitFor(repository);
      const { data } = await octokit.rest.issues.create({
        ...split(repository),
        ...issue,
      });
      return {
        number: data.number,
        url: data.html_url,
        state: data.state === 'closed' ? 'closed' : 'open',
      };
    },
    async get(repository, number) {
      const octokit = await octokitFor(repository);
      const { data } = await octokit.rest.issues.get({
        ...split(repository),
        issue_number: number,
      });
      return {
        state: data.state === 'closed' ? 'closed' : 'open',
        closedAt: data.closed_at ? new Date(data.closed_at) : undefined,
      };
    },
  };
}

/** What GitHub answered, in words, from an Octokit error or anything else. */
function githubSays(error: unknown): string {
  const status = (error as { status?: number }).status;
  const message = error instanceof Error ? error.message : String(error);
  return status ? `${status} ${message}` : message;
}

/**
 * Report text in an issue: one line, table cells kept whole, no mention
 * that pings someone (@name) and no HTML.
 */
export function markdownCell(text: string, max = 300): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return (line.length > max ? `${line.slice(0, max - 1)}…` : line)
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/@/g, '&#64;')
    .replace(/`/g, "'");
}

function whereOf(finding: StoredFinding): string {
  if (finding.locationPath) {
    return `\`${markdownCell(finding.locationPath)}${
      finding.locationLine ? `:${finding.locationLine}` : ''
    }\``;
  }
  if (finding.packageName) {
    return markdownCell(
      `${finding.packageName} ${finding.packageVersion ?? ''}${
        finding.fixedVersion ? ` (fixed in ${finding.fixedVersion})` : ''
      }`,
    );
  }
  return finding.url ? markdownCell(finding.url) : '';
}

export class FindingTickets {
  constructor(
    private readonly deps: {
      access: SecopsAccess;
      findings: FindingStore;
      tickets: TicketStore;
      issues: IssuesClient;
      /** The portal's address, for the links back (app.baseUrl). */
      portalUrl: string;
      signals?: EntitySignals;
      logger?: LoggerService;
      now?: () => Date;
    },
  ) {}

  private now() {
    return this.deps.now?.() ?? new Date();
  }

  async open(
    credentials: BackstageCredentials,
    body: { findingIds: string[] },
  ): Promise<TicketResult> {
    const { access, findings, tickets } = this.deps;
    const caller = access.caller(credentials);
    if (caller.type !== 'user') {
      throw new NotAllowedError('Only a person opens issues for findings');
    }
    const ids = [...new Set(body.findingIds)];
    if (ids.length === 0 || ids.length > MAX_TICKETED) {
      throw new InputError(
        `findingIds must name 1 to ${MAX_TICKETED} findings, not ${ids.length}`,
      );
    }
    const found = new Map(
      (await findings.getFindings(ids)).map(finding => [finding.id, finding]),
    );
    const missing = ids.filter(id => !found.has(id));
    if (missing.length) {
      throw new NotFoundError(`No finding ${missing.slice(0, 5).join(', ')}`);
    }
    const fixed = [...found.values()].filter(f => f.status !== 'open');
    if (fixed.length) {
      throw new InputError(
        `Issues are opened for open findings only; ${fixed
          .slice(0, 5)
          .map(f => f.id)
          .join(', ')} ${fixed.length === 1 ? 'is' : 'are'} fixed`,
      );
    }
    // Every check before anything is written or sent.
    const repositories = new Map<string, string>();
    for (const entityRef of new Set(
      [...found.values()].map(f => f.entityRef),
    )) {
      await access.authorize(
        credentials,
        secopsFindingAssignPermission,
        entityRef,
      );
      repositories.set(
        entityRef,
        this.repositoryOf(await access.requireEntity(entityRef), entityRef),
      );
    }
    const groups = new Map<string, StoredFinding[]>();
    for (const id of ids) {
      const finding = found.get(id)!;
      const key = `${repositories.get(finding.entityRef)}\n${finding.ruleId}`;
      groups.set(key, [...(groups.get(key) ?? []), finding]);
    }

    const by = caller.credentials.principal.userEntityRef.toLowerCase();
    const result: TicketResult['tickets'] = [];
    for (const [key, group] of groups) {
      const [repository, ruleId] = key.split('\n');
      const groupIds = group.map(f => f.id);
      const existing = await tickets.openTicket(repository, ruleId);
      if (existing) {
        await tickets.link(existing.id, groupIds);
        result.push({
          ruleId,
          ticket: asFindingTicket(existing),
          findingIds: groupIds,
          created: false,
        });
        continue;
      }
      const title = this.titleOf(ruleId, group);
      let issue: Awaited<ReturnType<IssuesClient['create']>>;
      try {
        issue = await this.deps.issues.create(repository, {
          title,
          body: this.bodyOf(repository, ruleId, group),
          labels: ['security'],
        });
      } catch (error) {
        throw new ServiceUnavailableError(
          `GitHub did not open an issue in ${repository}: ${githubSays(error)}`,
        );
      }
      const stored = await tickets.create(
        {
          repository,
          ruleId,
          number: issue.number,
          url: issue.url,
          title,
          state: issue.state,
          createdBy: by,
        },
        groupIds,
        this.now(),
      );
      result.push({
        ruleId,
        ticket: asFindingTicket(stored),
        findingIds: groupIds,
        created: true,
      });
    }
    await this.deps.signals?.changed(
      [...found.values()].map(f => f.entityRef),
      'ticket',
    );
    return { tickets: result };
  }

  /**
   * Reads back the state of the open tickets checked longest ago; one that
   * cannot be read is logged and tried again on the next run. Returns how
   * many closed.
   */
  async refreshStates(): Promise<number> {
    const { tickets, issues, logger } = this.deps;
    let closed = 0;
    for (const ticket of await tickets.stalest(STATES_PER_RUN)) {
      let state: Awaited<ReturnType<IssuesClient['get']>>;
      try {
        state = await issues.get(ticket.repository, ticket.number);
      } catch (error) {
        logger?.warn(
          `Could not read the state of ${ticket.url}: ${githubSays(error)}`,
        );
        continue;
      }
      await tickets.setState(
        ticket.id,
        state.state,
        state.closedAt,
        this.now(),
      );
      if (state.state !== ticket.state) {
        closed += state.state === 'closed' ? 1 : 0;
        await this.deps.signals?.changed(
          await tickets.entitiesOf(ticket.id),
          'ticket',
        );
      }
    }
    return closed;
  }

  /** Reads the tickets' states back every hour, once across replicas. */
  async schedule(scheduler: SchedulerService) {
    await scheduler.scheduleTask({
      id: 'secops-ticket-states',
      frequency: { hours: 1 },
      timeout: { minutes: 15 },
      initialDelay: { minutes: 3 },
      fn: async () => {
        const closed = await this.refreshStates();
        if (closed) {
          this.deps.logger?.info(`${closed} finding issue(s) closed on GitHub`);
        }
      },
    });
  }

  private repositoryOf(entity: Entity, entityRef: string): string {
    const slug = entity.metadata.annotations?.[PROJECT_SLUG_ANNOTATION];
    if (!slug || !/^[\w.-]+\/[\w.-]+$/.test(slug)) {
      throw new InputError(
        `${entityRef} has no ${PROJECT_SLUG_ANNOTATION} annotation (owner/name): there is no repository to open an issue in`,
      );
    }
    return slug;
  }

  private titleOf(ruleId: string, group: StoredFinding[]): string {
    const first = group[0];
    const title = first.title.toLowerCase().includes(ruleId.toLowerCase())
      ? first.title
      : `${ruleId}: ${first.title}`;
    const more = group.length > 1 ? ` (${group.length} places)` : '';
    const line = `[security] ${title.replace(/\s+/g, ' ')}`;
    return `${line.slice(0, MAX_TITLE - more.length)}${more}`;
  }

  private bodyOf(
    repository: string,
    ruleId: string,
    group: StoredFinding[],
  ): string {
    const portal = this.deps.portalUrl.replace(/\/+$/, '');
    const tabOf = (entityRef: string) => {
      const ref = parseEntityRef(entityRef);
      return `${portal}/catalog/${ref.namespace}/${ref.kind.toLowerCase()}/${
        ref.name
      }/security`;
    };
    const helpUrl = group.map(f => f.helpUrl).find(Boolean);
    const lines = [
      `The developer portal found **${markdownCell(ruleId)}** in ${
        group.length === 1 ? 'one place' : `${group.length} places`
      } of ${repository}.`,
      '',
      '| Severity | Finding | Where | Entity (Security tab) |',
      '| --- | --- | --- | --- |',
      ...group.map(
        f =>
          `| ${f.severity} | ${markdownCell(f.title)} (#${f.id}) | ${whereOf(
            f,
          )} | [${f.entityRef}](${tabOf(f.entityRef)}) |`,
      ),
      '',
      ...(helpUrl && /^https?:\/\//.test(helpUrl)
        ? [`How to fix it: ${markdownCell(helpUrl, 500)}`, '']
        : []),
      '> Closing this issue does not mark the findings fixed: the portal marks each one fixed when a scan no longer reports it.',
      '',
      `<!-- portal-findings: ${group.map(f => f.id).join(',')} -->`,
    ];
    return lines.join('\n');
  }
}
