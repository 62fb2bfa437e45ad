import { Octokit } from '@octokit/rest';
import { DeliverySignal } from '@portal/plugin-sre-common';
import { DeliveryHistory } from './dora';

/** What the delivery measures need from a repository. */
export interface DeliveryClient {
  history(
    repo: { owner: string; repo: string },
    options: {
      signal: DeliverySignal;
      environment: string;
      incidentLabel: string;
      since: Date;
    },
  ): Promise<DeliveryHistory>;
}

/**
 * Reads a repository's delivery history with Octokit: deployments to the
 * environment (with their latest status) or published releases, pull
 * requests merged into the default branch, and incident-labelled issues,
 * each paged only as far back as `since`.
 */
export function octokitDeliveryClient(octokit: Octokit): DeliveryClient {
  // Pages of a list endpoint, newest first; callers stop when they are past
  // the period.
  const pages = (route: unknown, params: Record<string, unknown>) =>
    octokit.paginate.iterator(route as any, params) as AsyncIterable<{
      data: any[];
    }>;
  return {
    async history(
      { owner, repo },
      { signal, environment, incidentLabel, since },
    ) {
      const after = (iso?: string | null) =>
        !!iso && Date.parse(iso) >= since.getTime();
      const deploys: DeliveryHistory['deploys'] = [];
      if (signal === 'deployments') {
        for await (const page of pages(octokit.rest.repos.listDeployments, {
          owner,
          repo,
          environment,
          per_page: 100,
        })) {
          const recent = page.data.filter(d => after(d.created_at));
          for (const d of recent) {
            const { data: statuses } =
              await octokit.rest.repos.listDeploymentStatuses({
                owner,
                repo,
                deployment_id: d.id,
                per_page: 1,
              });
            const state = statuses[0]?.state;
            if (
              state === 'success' ||
              state === 'failure' ||
              state === 'error'
            ) {
              deploys.push({ at: d.created_at, failed: state !== 'success' });
            }
          }
          if (recent.length < page.data.length) break;
        }
      } else {
        for await (const page of pages(octokit.rest.repos.listReleases, {
          owner,
          repo,
          per_page: 100,
        })) {
          const recent = page.data.filter(
            r => !r.draft && after(r.published_at),
          );
          deploys.push(
            ...recent.map(r => ({ at: r.published_at!, failed: false })),
          );
          if (!page.data.some(r => after(r.published_at ?? r.created_at)))
            break;
        }
      }
      const merged: DeliveryHistory['merged'] = [];
      for await (const page of pages(octokit.rest.pulls.list, {
        owner,
        repo,
        state: 'closed',
        sort: 'updated',
        direction: 'desc',
        per_page: 100,
      })) {
        for (const pr of page.data) {
          if (pr.merged_at && after(pr.merged_at)) {
            merged.push({ openedAt: pr.created_at, mergedAt: pr.merged_at });
          }
        }
        if (!page.data.every(pr => after(pr.updated_at))) break;
      }
      const incidents: DeliveryHistory['incidents'] = [];
      for await (const page of pages(octokit.rest.issues.listForRepo, {
        owner,
        repo,
        labels: incidentLabel,
        state: 'all',
        since: since.toISOString(),
        per_page: 100,
      })) {
        for (const issue of page.data) {
          if (issue.pull_request) continue;
          incidents.push({
            openedAt: issue.created_at,
            closedAt: issue.closed_at ?? undefined,
          });
        }
      }
      return { deploys, merged, incidents };
    },
  };
}
