import {
  git,
  LocalRepositories,
} from '@portal/plugin-scaffolder-backend-module-golden-path';
import fs from 'node:fs/promises';

/**
 * Creates a local repository from a folder (one commit) unless it exists:
 * the embedded default's demo repositories. Returns whether it was created.
 */
export async function seedRepository(
  repositories: LocalRepositories,
  name: string,
  from: string,
): Promise<boolean> {
  if (await repositories.exists(name)) return false;
  const target = repositories.pathOf(name);
  await fs.mkdir(repositories.root, { recursive: true });
  try {
    await fs.cp(from, target, { recursive: true });
    await git(target, ['init', '-q', '-b', 'main']);
    await git(target, ['add', '-A']);
    await git(target, ['commit', '-q', '-m', 'Demo repository']);
  } catch (error) {
    await fs.rm(target, { recursive: true, force: true });
    throw error;
  }
  return true;
}
