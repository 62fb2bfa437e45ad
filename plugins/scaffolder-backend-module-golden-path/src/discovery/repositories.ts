/*
 * Where repositories are found, for the Adoption page: the local git
 * repositories of the embedded default, and a GitHub organisation in
 * production (goldenPath.discovery.github.org), read with Octokit and the
 * GitHub integration's token. Each repository comes with the files that
 * say where it stands: its catalog-info.yaml and its workflow files.
 */
import { LoggerService } from '@backstage/backend-plugin-api';
import { Octokit } from '@octokit/rest';
import fs from 'node:fs/promises';
import path from 'node:path';
import { LocalRepositories } from '../localRepositories';

/** A workflow file: its path in the repository and its text. */
export interface WorkflowFile {
  path: string;
  text: string;
}

/** A repository as a source found it. */
export interface FoundRepository {
  /** The local repository's name, or owner/name on GitHub. */
  name: string;
  target: 'local' | 'github';
  /** Where people open it (a GitHub URL; absent for local ones). */
  url?: string;
  /** For local ones: the folder, which catalog locations name. */
  path?: string;
  catalogInfo?: string;
  workflows: WorkflowFile[];
  /** Its files could not be read (rate limit, permissions): its state is a guess. */
  unread?: boolean;
}

export interface RepositorySource {
  list(): Promise<FoundRepository[]>;
}

/** The most bytes of one file read (a workflow, catalog-info.yaml). */
const MAX_FILE_BYTES = 256 * 1024;
const WORKFLOW = /\.ya?ml$/;

async function readIfSmall(file: string): Promise<string | undefined> {
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile() || stat.size > MAX_FILE_BYTES) return undefined;
    return await fs.readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The embedded default's local repositories, read from their main working tree. */
export class LocalRepositorySource implements RepositorySource {
  constructor(private readonly repositories: LocalRepositories) {}

  async list(): Promise<FoundRepository[]> {
    const names = await this.repositories.list();
    return Promise.all(
      names.map(async name => {
        const dir = this.repositories.pathOf(name);
        const workflowsDir = path.join(dir, '.github', 'workflows');
        let files: string[] = [];
        try {
          files = (await fs.readdir(workflowsDir)).filter(f =>
            WORKFLOW.test(f),
          );
        } catch {
          // no workflows
        }
        const workflows: WorkflowFile[] = [];
        for (const file of files.sort()) {
          const text = await readIfSmall(path.join(workflowsDir, file));
          if (text !== undefined) {
            workflows.push({ path: `.github/workflows/${file}`, text });
          }
        }
        return {
          name,
          target: 'local' as const,
          path: dir,
          catalogInfo: await readIfSmall(path.join(dir, 'catalog-info.yaml')),
          workflows,
        };
      }),
    );
  }
}

/** A file's text from the contents API (base64), if it is a small file. */
function textOf(data: unknown): string | undefined {
  const file = data as {
    type?: string;
    encoding?: string;
    content?: string;
    size?: number;
  };
  if (file?.type !== 'file' || file.encoding !== 'base64' || !file.content) {
    return undefined;
  }
  if ((file.size ?? 0) > MAX_FILE_BYTES) return undefined;
  return Buffer.from(file.content, 'base64').toString('utf8');
}

/**
 * A GitHub organisation's repositories (not archived, not forks), with
 * their catalog-info.yaml and workflows from the default branch. A
 * repository whose files cannot be read is listed without them, and logged.
 */
export class GithubRepositorySource implements RepositorySource {
  constructor(
    private readonly deps: {
      org: string;
      octokit: () => Promise<Octokit>;
      logger: LoggerService;
      /** At most this many repositories (the first by name). */
      maxRepositories?: number;
    },
  ) {}

  async list(): Promise<FoundRepository[]> {
    const octokit = await this.deps.octokit();
    const all: Array<{
      name: string;
      owner: { login: string };
      html_url: string;
      archived?: boolean;
      fork: boolean;
    }> = [];
    for (let page = 1; ; page++) {
      const { data } = await octokit.repos.listForOrg({
        org: this.deps.org,
        type: 'all',
        per_page: 100,
        page,
      });
      all.push(...data);
      if (data.length < 100) break;
    }
    const repos = all
      .filter(r => !r.archived && !r.fork)
      .sort((a, b) => a.name.localeCompare(b.name))
      .slice(0, this.deps.maxRepositories ?? 2000);
    const found: FoundRepository[] = [];
    // A few at a time: the contents API is rate-limited.
    for (let i = 0; i < repos.length; i += 4) {
      found.push(
        ...(await Promise.all(
          repos
            .slice(i, i + 4)
            .map(r => this.read(octokit, r.owner.login, r.name, r.html_url)),
        )),
      );
    }
    return found;
  }

  private async read(
    octokit: Octokit,
    owner: string,
    repo: string,
    url: string,
  ): Promise<FoundRepository> {
    const content = async (filePath: string) => {
      try {
        const { data } = await octokit.repos.getContent({
          owner,
          repo,
          path: filePath,
        });
        return data;
      } catch (error: any) {
        if (error?.status === 404) return undefined;
        throw error;
      }
    };
    const name = `${owner}/${repo}`;
    try {
      const catalogInfo = textOf(await content('catalog-info.yaml'));
      const listing = await content('.github/workflows');
      const workflows: WorkflowFile[] = [];
      for (const entry of Array.isArray(listing) ? listing : []) {
        if (entry.type !== 'file' || !WORKFLOW.test(entry.name)) continue;
        const text = textOf(await content(entry.path));
        if (text !== undefined) workflows.push({ path: entry.path, text });
      }
      return { name, target: 'github', url, catalogInfo, workflows };
    } catch (error) {
      this.deps.logger.warn(`Could not read ${name}: ${error}`);
      return { name, target: 'github', url, workflows: [], unread: true };
    }
  }
}
