import { Config } from '@backstage/config';
import { InputError, NotFoundError } from '@backstage/errors';
import fs from 'node:fs/promises';
import path from 'node:path';

/** A local repository's name: a folder name, nothing that climbs out. */
const NAME = /^[a-z0-9][a-z0-9_-]{0,99}$/;

/**
 * The events-service topic on which the golden-path actions say that a local
 * repository changed (published or registered): the embedded default's
 * catalog module rescans the repositories at once. Payload:
 * {@link LocalRepositoryChangedEvent}.
 */
export const LOCAL_REPOSITORY_CHANGED_TOPIC =
  'golden-path.local-repository-changed';

/** The payload of {@link LOCAL_REPOSITORY_CHANGED_TOPIC}. */
export interface LocalRepositoryChangedEvent {
  repository: string;
}

/**
 * The local git repositories of the embedded default: new services are
 * published here instead of GitHub, pull requests are branches here, and the
 * catalog reads each one's catalog-info.yaml from its working tree.
 */
export class LocalRepositories {
  /**
   * `onChanged` is told that an action published or registered a repository
   * (the module publishes it on the events service).
   */
  constructor(
    readonly root: string,
    private readonly onChanged: (name: string) => void = () => {},
  ) {}

  static fromConfig(
    config: Config,
    onChanged?: (name: string) => void,
  ): LocalRepositories {
    const dir =
      config.getOptionalString('goldenPath.local.repositoriesDir') ??
      '../../data/repositories';
    return new LocalRepositories(path.resolve(dir), onChanged);
  }

  /** The folder of a repository by name; refuses names that are not one. */
  pathOf(name: string): string {
    if (!NAME.test(name)) {
      throw new InputError(
        `"${name}" is not a repository name: use lower-case letters, digits, - and _ (at most 100)`,
      );
    }
    return path.join(this.root, name);
  }

  /** The repository's name when a path is one of them, else undefined. */
  nameOf(target: string): string | undefined {
    const relative = path.relative(this.root, path.resolve(target));
    const [first, ...rest] = relative.split(path.sep);
    if (!first || first.startsWith('..') || path.isAbsolute(relative)) {
      return undefined;
    }
    return NAME.test(first) && rest.length <= 1 ? first : undefined;
  }

  async exists(name: string): Promise<boolean> {
    try {
      await fs.access(path.join(this.pathOf(name), '.git'));
      return true;
    } catch {
      return false;
    }
  }

  /** The path of an existing repository; NotFoundError names the folder. */
  async require(name: string): Promise<string> {
    if (!(await this.exists(name))) {
      throw new NotFoundError(
        `there is no local repository "${name}" in ${this.root}`,
      );
    }
    return this.pathOf(name);
  }

  /** Every repository (a folder with .git), by name. */
  async list(): Promise<string[]> {
    let entries;
    try {
      entries = await fs.readdir(this.root, { withFileTypes: true });
    } catch (error: any) {
      if (error.code === 'ENOENT') return [];
      throw error;
    }
    const names: string[] = [];
    for (const entry of entries) {
      if (entry.isDirectory() && NAME.test(entry.name)) {
        if (await this.exists(entry.name)) names.push(entry.name);
      }
    }
    return names.sort();
  }

  /** Says that an action published or registered the repository. */
  notifyChanged(name: string) {
    this.onChanged(name);
  }
}
