import { git } from '@portal/plugin-scaffolder-backend-module-golden-path';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** A temporary folder, removed by the returned cleanup. */
export async function tempDir(prefix = 'golden-path-demo-test-') {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rm(dir, { recursive: true, force: true }) };
}

/** A git repository with one commit of these files on main. */
export async function makeRepository(
  dir: string,
  files: Record<string, string>,
) {
  for (const [file, content] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await fs.writeFile(path.join(dir, file), content);
  }
  await git(dir, ['init', '-q', '-b', 'main']);
  await git(dir, ['add', '-A']);
  await git(dir, ['commit', '-q', '-m', 'Initial commit']);
}
