import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import fs from 'node:fs/promises';
import path from 'node:path';
import {
  exists,
  listFiles,
  readBytesSafe,
  safePath,
  writeSafe,
} from '../workspace';
import { examples } from './merge.examples';

/**
 * `golden-path:merge`: copies rendered golden-path files into a checked-out
 * repository. Files the repository already has are left alone unless they
 * are listed in `overwrite`; the outputs say what was added, kept, replaced.
 */
export function createMergeAction() {
  return createTemplateAction({
    id: 'golden-path:merge',
    description:
      'Adds rendered files to a repository in the workspace, leaving its own files alone unless asked to replace them.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        from: z => z.string().describe('Folder of the rendered files'),
        into: z => z.string().describe('Folder of the repository'),
        overwrite: z =>
          z
            .array(z.string())
            .optional()
            .describe(
              'Paths (relative to the repository) that may be replaced',
            ),
        removeSource: z =>
          z
            .boolean()
            .optional()
            .describe('Delete the rendered folder afterwards (default true)'),
      },
      output: {
        added: z => z.array(z.string()),
        kept: z => z.array(z.string()),
        replaced: z => z.array(z.string()),
      },
    },
    async handler(ctx) {
      const from = await safePath(ctx.workspacePath, ctx.input.from, 'from');
      await safePath(ctx.workspacePath, ctx.input.into, 'into');
      const overwrite = new Set(
        (ctx.input.overwrite ?? []).map(p =>
          path.posix.normalize(p.replace(/^\.\//, '')),
        ),
      );
      const added: string[] = [];
      const kept: string[] = [];
      const replaced: string[] = [];
      for (const file of await listFiles(from)) {
        // Neither the rendered file nor its place in the repository may be
        // (or be below) a link: it would read or write outside.
        const content = await readBytesSafe(from, file, 'from');
        const inRepository = path.join(ctx.input.into, file);
        const target = await safePath(ctx.workspacePath, inRepository, 'into');
        if (await exists(target)) {
          if (!overwrite.has(file)) {
            kept.push(file);
            continue;
          }
          replaced.push(file);
        } else {
          added.push(file);
        }
        await writeSafe(ctx.workspacePath, inRepository, content, 'into');
      }
      if (ctx.input.removeSource !== false) {
        await fs.rm(from, { recursive: true, force: true });
      }
      ctx.logger.info(
        `Added ${added.length}, replaced ${replaced.length}, kept the repository's own ${kept.length}`,
      );
      ctx.output('added', added);
      ctx.output('kept', kept);
      ctx.output('replaced', replaced);
    },
  });
}
