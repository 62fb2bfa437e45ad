import { LoggerService } from '@backstage/backend-plugin-api';
import { ParsedFinding, Severity } from '@portal/plugin-secops-common';
import { Octokit } from '@octokit/rest';

/** The annotation that names an entity's GitHub repository (owner/name). */
export const PROJECT_SLUG_ANNOTATION = 'github.com/project-slug';

/** The fields of a code-scanning alert that become a finding. */
export interface CodeScanningAlert {
  number: number;
  html_url?: string;
  rule?: {
    id?: string | null;
    name?: string;
    severity?: string | null;
    security_severity_level?: string | null;
    description?: string;
    tags?: string[] | null;
  };
  most_recent_instance?: {
    message?: { text?: string };
    location?: { path?: string; start_line?: number };
  };
}

/** The fields of a Dependabot alert that become a finding. */
export interface DependabotAlert {
  number: number;
  html_url?: string;
  dependency: { package?: { name?: string }; manifest_path?: string };
  security_advisory: {
    ghsa_id: string;
    cve_id?: string | null;
    summary: string;
    description?: string;
    severity?: string;
    cvss?: { score?: number | null } | null;
  };
  security_vulnerability: {
    vulnerable_version_range?: string;
    first_patched_version?: { identifier?: string } | null;
  };
}

/** Where alerts come from: GitHub's REST API, or recorded answers in tests. */
export interface AlertsClient {
  listCodeScanningAlerts(
    owner: string,
    repo: string,
  ): Promise<CodeScanningAlert[]>;
  listDependabotAlerts(owner: string, repo: string): Promise<DependabotAlert[]>;
}

/** Open alerts from GitHub's REST API, every page. */
export function octokitAlertsClient(octokit: Octokit): AlertsClient {
  return {
    listCodeScanningAlerts: (owner, repo) =>
      octokit.paginate('GET /repos/{owner}/{repo}/code-scanning/alerts', {
        owner,
        repo,
        state: 'open',
        per_page: 100,
      }) as Promise<CodeScanningAlert[]>,
    listDependabotAlerts: (owner, repo) =>
      octokit.paginate('GET /repos/{owner}/{repo}/dependabot/alerts', {
        owner,
        repo,
        state: 'open',
        per_page: 100,
      }) as Promise<DependabotAlert[]>,
  };
}

const LEVEL: Record<string, Severity> = {
  error: 'high',
  warning: 'medium',
  note: 'low',
  none: 'info',
};

function asSeverity(value: unknown): Severity | undefined {
  return ['critical', 'high', 'medium', 'low'].includes(String(value))
    ? (value as Severity)
    : undefined;
}

export function codeScanningFinding(alert: CodeScanningAlert): ParsedFinding {
  const rule = alert.rule ?? {};
  const location = alert.most_recent_instance?.location;
  const secret = /secret|credential|token/i.test(
    `${rule.id ?? ''} ${(rule as { tags?: string[] }).tags?.join(' ') ?? ''}`,
  );
  return {
    // Alert numbers are stable per repository across scans.
    fingerprint: `github-code-scanning/${alert.number}`,
    category: secret ? 'secret' : 'sast',
    severity:
      asSeverity(rule.security_severity_level) ??
      LEVEL[String(rule.severity)] ??
      'medium',
    ruleId: rule.id ?? `alert-${alert.number}`,
    title:
      rule.description ?? rule.name ?? `Code scanning alert ${alert.number}`,
    description: alert.most_recent_instance?.message?.text,
    locationPath: location?.path,
    locationLine: location?.start_line,
    helpUrl: alert.html_url,
  };
}

export function dependabotFinding(alert: DependabotAlert): ParsedFinding {
  const advisory = alert.security_advisory;
  const vulnerability = alert.security_vulnerability;
  const aliases = [advisory.ghsa_id, advisory.cve_id].filter(
    (id): id is string => Boolean(id),
  );
  return {
    fingerprint: `github-dependabot/${alert.number}`,
    category: 'sca',
    severity: asSeverity(advisory.severity) ?? 'medium',
    ruleId: advisory.cve_id ?? advisory.ghsa_id,
    title: advisory.summary,
    description: advisory.description,
    aliases,
    cvssScore: advisory.cvss?.score ?? undefined,
    packageName: alert.dependency.package?.name,
    packageVersion: vulnerability.vulnerable_version_range,
    fixedVersion: vulnerability.first_patched_version?.identifier,
    locationPath: alert.dependency.manifest_path,
    helpUrl: alert.html_url,
  };
}

/** Open code-scanning and Dependabot alerts of a repository as findings. */
export async function pullAlerts(
  client: AlertsClient,
  slug: string,
  logger: LoggerService,
): Promise<{ codeScanning?: ParsedFinding[]; dependabot?: ParsedFinding[] }> {
  const [owner, repo] = slug.split('/');
  if (!owner || !repo) {
    throw new Error(`'${slug}' is not an owner/name repository slug`);
  }
  const result: {
    codeScanning?: ParsedFinding[];
    dependabot?: ParsedFinding[];
  } = {};
  // A repository without the feature (or without access) answers 403 or 404:
  // that source is skipped, and its earlier findings are left as they were.
  const skipped = (what: string, error: unknown) => {
    const status = (error as { status?: number }).status;
    if (status === 403 || status === 404) {
      logger.info(`No ${what} for ${slug} (${status})`);
      return undefined;
    }
    throw error;
  };
  try {
    const alerts = await client.listCodeScanningAlerts(owner, repo);
    result.codeScanning = alerts.map(codeScanningFinding);
  } catch (error) {
    skipped('code scanning alerts', error);
  }
  try {
    const alerts = await client.listDependabotAlerts(owner, repo);
    result.dependabot = alerts.map(dependabotFinding);
  } catch (error) {
    skipped('Dependabot alerts', error);
  }
  return result;
}
