import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * A path inside the task's workspace. Anything that climbs out of it (`..`,
 * an absolute path, a symlink pointing away) is refused with a message that
 * says which input was wrong.
 */
export function insideWorkspace(
  workspacePath: string,
  relative: string,
  input: string,
): string {
  try {
    return resolveSafeChildPath(workspacePath, relative);
  } catch {
    throw new InputError(
      `${input} "${relative}" is outside the task's workspace; give a path inside it`,
    );
  }
}

/** The `path` input of actions that work on a repository in the workspace. */
export const repositoryPathInput = (z: typeof import('zod/v3').z) =>
  z
    .string()
    .optional()
    .describe('Repository folder in the workspace (default: the workspace)');

/** The folder that input names, inside the workspace. */
export const repositoryFolder = (workspacePath: string, relative?: string) =>
  insideWorkspace(workspacePath, relative ?? '.', 'path');

/** Copies a folder's contents without its .git. */
export async function copyTree(from: string, to: string) {
  await fs.mkdir(to, { recursive: true });
  await fs.cp(from, to, {
    recursive: true,
    filter: source => path.basename(source) !== '.git',
  });
}

/** Every file below a folder (relative, with /), .git excluded, sorted. */
export async function listFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string) => {
    for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
      if (entry.name === '.git') continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else out.push(path.relative(root, full).split(path.sep).join('/'));
    }
  };
  await walk(root);
  return out.sort();
}

export async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}
