import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import {
  ActionContext,
  TemplateAction,
} from '@backstage/plugin-scaffolder-node';
import { Validator } from 'jsonschema';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { git } from '../git';

/** A temporary folder, removed by the returned cleanup. */
export async function tempDir(prefix = 'golden-path-test-') {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rm(dir, { recursive: true, force: true }) };
}

/** Writes files (path → content) below a folder. */
export async function writeFiles(root: string, files: Record<string, string>) {
  for (const [file, content] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await fs.writeFile(path.join(root, file), content);
  }
}

/** A git repository with one commit of these files on main. */
export async function makeRepository(
  dir: string,
  files: Record<string, string>,
) {
  await writeFiles(dir, files);
  await git(dir, ['init', '-q', '-b', 'main']);
  await git(dir, ['add', '-A']);
  await git(dir, ['commit', '-q', '-m', 'Initial commit']);
}

/**
 * Runs an action as the scaffolder would: validated input, a workspace, a
 * checkpoint store that remembers results (as a task retry would), outputs
 * collected.
 */
export async function runAction<I extends Record<string, any>>(
  action: TemplateAction<any, any, any>,
  input: I,
  options: {
    workspacePath: string;
    checkpoints?: Map<string, unknown>;
    signal?: AbortSignal;
  },
): Promise<Record<string, unknown>> {
  const outputs: Record<string, unknown> = {};
  const checkpoints = options.checkpoints ?? new Map<string, unknown>();
  // The input is checked against the action's schema, as the scaffolder does.
  const result = new Validator().validate(input, action.schema?.input ?? {});
  if (!result.valid) {
    throw new Error(
      `invalid input: ${result.errors.map(e => e.stack).join('; ')}`,
    );
  }
  const ctx = {
    input,
    workspacePath: options.workspacePath,
    logger: mockServices.logger.mock(),
    output: (name: string, value: unknown) => {
      outputs[name] = value;
    },
    checkpoint: async ({
      key,
      fn,
    }: {
      key: string;
      fn: () => Promise<unknown>;
    }) => {
      if (checkpoints.has(key)) return checkpoints.get(key);
      const value = await fn();
      checkpoints.set(key, value);
      return value;
    },
    createTemporaryDirectory: async () =>
      fs.mkdtemp(path.join(os.tmpdir(), 'gp-action-')),
    getInitiatorCredentials: async () => mockCredentials.user(),
    user: {
      ref: 'user:default/ben.okafor',
      entity: {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'User',
        metadata: { name: 'ben.okafor' },
        spec: {
          profile: { displayName: 'Ben Okafor', email: 'ben@acme.example' },
        },
      },
    },
    isDryRun: false,
    templateInfo: { entityRef: 'template:default/test' },
    signal: options.signal ?? new AbortController().signal,
    each: undefined,
    task: { id: 'task-1' },
  } as unknown as ActionContext<any, any, any>;
  await action.handler(ctx);
  return outputs;
}
