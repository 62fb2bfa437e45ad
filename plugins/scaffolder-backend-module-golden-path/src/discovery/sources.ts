/*
 * The repository sources the configuration names: the local repositories
 * when there are any (the embedded default), and a GitHub organisation
 * when goldenPath.discovery.github.org is set, read with the GitHub
 * integration's credentials (a token or a GitHub App).
 */
import { LoggerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { ServiceUnavailableError } from '@backstage/errors';
import {
  DefaultGithubCredentialsProvider,
  ScmIntegrations,
} from '@backstage/integration';
import { Octokit } from '@octokit/rest';
import { LocalRepositories } from '../localRepositories';
import {
  GithubRepositorySource,
  LocalRepositorySource,
  RepositorySource,
} from './repositories';

/** Octokit for an organisation, with the integration's credentials and API URL. */
export function octokitForOrg(
  config: Config,
  org: string,
): () => Promise<Octokit> {
  const integrations = ScmIntegrations.fromConfig(config);
  const credentials =
    DefaultGithubCredentialsProvider.fromIntegrations(integrations);
  return async () => {
    const url = `https://github.com/${org}`;
    const integration = integrations.github.byUrl(url);
    if (!integration) {
      throw new ServiceUnavailableError(
        `No GitHub integration is configured for ${url} (integrations.github)`,
      );
    }
    const { token } = await credentials.getCredentials({ url });
    return new Octokit({ auth: token, baseUrl: integration.config.apiBaseUrl });
  };
}

export function repositorySources(
  config: Config,
  repositories: LocalRepositories,
  logger: LoggerService,
): RepositorySource[] {
  const sources: RepositorySource[] = [new LocalRepositorySource(repositories)];
  const org = config.getOptionalString('goldenPath.discovery.github.org');
  if (org) {
    sources.push(
      new GithubRepositorySource({
        org,
        octokit: octokitForOrg(config, org),
        logger,
        maxRepositories: config.getOptionalNumber(
          'goldenPath.discovery.github.maxRepositories',
        ),
      }),
    );
  }
  return sources;
}
