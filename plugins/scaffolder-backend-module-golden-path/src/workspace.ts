import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { constants as fsConstants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';

/** Opening a link fails instead of following it (where the OS has it). */
const O_NOFOLLOW = fsConstants.O_NOFOLLOW ?? 0;

/**
 * A path inside the task's workspace, worked out from the text alone.
 * Anything that climbs out of it (`..`, an absolute path) is refused with a
 * message that says which input was wrong. It does not look at the disk:
 * use {@link safePath} for a path that is read or written.
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

/** The refusal for a symbolic link met on the way to a path. */
export class SymlinkRefusedError extends InputError {
  constructor(input: string, relative: string, link: string) {
    super(
      `${input} "${relative}": ${link} is a symbolic link, and golden-path actions never follow links (in the workspace or a repository); replace it with a real file or folder`,
    );
  }
}

/**
 * A path below `root` that is safe to read or write: inside it by its text,
 * and no part of it below `root` (the folders on the way and the path itself)
 * is a symbolic link on disk. Parts that do not exist yet are fine; they are
 * made as real folders and files. `root` itself is trusted (the workspace, or
 * a folder already checked with this function).
 */
export async function safePath(
  root: string,
  relative: string,
  input: string,
): Promise<string> {
  const target = path.resolve(root, relative);
  const fromRoot = path.relative(root, target);
  if (fromRoot.startsWith('..') || path.isAbsolute(fromRoot)) {
    throw new InputError(
      `${input} "${relative}" is outside the task's workspace; give a path inside it`,
    );
  }
  const parts = fromRoot.split(path.sep).filter(Boolean);
  let current = root;
  for (const part of parts) {
    current = path.join(current, part);
    let stat;
    try {
      stat = await fs.lstat(current);
    } catch (error: any) {
      if (error.code === 'ENOENT') break;
      throw error;
    }
    if (stat.isSymbolicLink()) {
      throw new SymlinkRefusedError(
        input,
        relative,
        path.relative(root, current).split(path.sep).join('/'),
      );
    }
  }
  // And by the disk's own reckoning (real paths), for good measure.
  return insideWorkspace(root, relative, input);
}

/** The `path` input of actions that work on a repository in the workspace. */
export const repositoryPathInput = (z: typeof import('zod/v3').z) =>
  z
    .string()
    .optional()
    .describe('Repository folder in the workspace (default: the workspace)');

/** The folder that input names, inside the workspace, not through a link. */
export const repositoryFolder = (workspacePath: string, relative?: string) =>
  safePath(workspacePath, relative ?? '.', 'path');

/** Reads a file below root, refusing links on the way and the file itself. */
export async function readBytesSafe(
  root: string,
  relative: string,
  input: string,
): Promise<Buffer> {
  const file = await safePath(root, relative, input);
  const handle = await fs.open(file, fsConstants.O_RDONLY | O_NOFOLLOW);
  try {
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

/** Reads a text file below root, refusing links on the way. */
export async function readSafe(
  root: string,
  relative: string,
  input: string,
): Promise<string> {
  return (await readBytesSafe(root, relative, input)).toString('utf8');
}

/**
 * Writes a file below root, making its folders; refuses links on the way,
 * and the open itself does not follow a link (O_NOFOLLOW), so a link planted
 * after the check is not written through either.
 */
export async function writeSafe(
  root: string,
  relative: string,
  content: string | Buffer,
  input: string,
): Promise<string> {
  const file = await safePath(root, relative, input);
  await fs.mkdir(path.dirname(file), { recursive: true });
  // The folders just made are checked again: none of them is a link.
  await safePath(root, relative, input);
  const handle = await fs.open(
    file,
    fsConstants.O_WRONLY |
      fsConstants.O_CREAT |
      fsConstants.O_TRUNC |
      O_NOFOLLOW,
  );
  try {
    await handle.writeFile(content);
  } finally {
    await handle.close();
  }
  return file;
}

/**
 * Copies a folder's contents without its .git. Links are copied as links
 * (their text as it is, never followed), and nothing is written through a
 * link already in the destination: a folder or file of the source that meets
 * a link there is refused, naming the path.
 */
export async function copyTree(from: string, to: string, input = 'a file') {
  await fs.mkdir(to, { recursive: true });
  const walk = async (relative: string) => {
    const dir = path.join(from, relative);
    for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
      if (entry.name === '.git') continue;
      const rel = path.join(relative, entry.name);
      const source = path.join(from, rel);
      const target = await safePathAllowingLastLink(to, rel, input);
      if (entry.isSymbolicLink()) {
        await fs.rm(target, { force: true });
        await fs.symlink(await fs.readlink(source), target);
      } else if (entry.isDirectory()) {
        await fs.mkdir(await safePath(to, rel, input), { recursive: true });
        await walk(rel);
      } else if (entry.isFile()) {
        await writeSafe(to, rel, await fs.readFile(source), input);
      }
    }
  };
  await walk('');
}

/** Like safePath, but the last part may be a link (it is replaced, not followed). */
async function safePathAllowingLastLink(
  root: string,
  relative: string,
  input: string,
): Promise<string> {
  await safePath(root, path.dirname(relative), input);
  return path.resolve(root, relative);
}

/**
 * Every file below a folder (relative, with /), .git excluded, sorted.
 * Links are listed as files (never followed into).
 */
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

/** Whether something (a link too, not followed) is at that path. */
export async function exists(file: string): Promise<boolean> {
  try {
    await fs.lstat(file);
    return true;
  } catch {
    return false;
  }
}

/** Whether a regular file (not a link, not a folder) is at that path. */
export async function isRegularFile(file: string): Promise<boolean> {
  try {
    return (await fs.lstat(file)).isFile();
  } catch {
    return false;
  }
}
