import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import path from 'node:path';
import {
  exists,
  readSafe,
  repositoryFolder,
  repositoryPathInput,
} from '../workspace';
import { examples } from './detectStack.examples';

export type Stack = 'node' | 'python' | 'go' | 'java';

export interface DetectedStack {
  stack: Stack;
  language: string;
  /** What the repository calls itself, when it says. */
  name?: string;
  description?: string;
  hasCatalogInfo: boolean;
  hasDockerfile: boolean;
  hasDocs: boolean;
  hasPipeline: boolean;
}

async function readJson(dir: string, file: string): Promise<any> {
  let text: string;
  try {
    text = await readSafe(dir, file, 'file');
  } catch (error: any) {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return JSON.parse(text);
  } catch (error: any) {
    throw new InputError(`${file} is not valid JSON: ${error.message}`);
  }
}

/** What a repository is built with, from the files at its root. */
export async function detectStack(dir: string): Promise<DetectedStack> {
  const has = (file: string) => exists(path.join(dir, file));
  const common = {
    hasCatalogInfo: await has('catalog-info.yaml'),
    hasDockerfile: await has('Dockerfile'),
    hasDocs: await has('mkdocs.yml'),
    hasPipeline: await has('.github/workflows/ci.yml'),
  };
  const pkg = await readJson(dir, 'package.json');
  if (pkg) {
    const typescript =
      (await has('tsconfig.json')) ||
      !!pkg.devDependencies?.typescript ||
      !!pkg.dependencies?.typescript;
    return {
      stack: 'node',
      language: typescript ? 'typescript' : 'javascript',
      name:
        typeof pkg.name === 'string'
          ? pkg.name.replace(/^@[^/]+\//, '')
          : undefined,
      description:
        typeof pkg.description === 'string' ? pkg.description : undefined,
      ...common,
    };
  }
  if ((await has('pyproject.toml')) || (await has('requirements.txt'))) {
    const pyproject = (await has('pyproject.toml'))
      ? await readSafe(dir, 'pyproject.toml', 'file')
      : '';
    const name = /^\s*name\s*=\s*"([^"]+)"/m.exec(pyproject)?.[1];
    const description = /^\s*description\s*=\s*"([^"]*)"/m.exec(pyproject)?.[1];
    return {
      stack: 'python',
      language: 'python',
      name,
      description,
      ...common,
    };
  }
  if (await has('go.mod')) {
    const mod = await readSafe(dir, 'go.mod', 'file');
    const module = /^module\s+(\S+)/m.exec(mod)?.[1];
    return {
      stack: 'go',
      language: 'go',
      name: module?.split('/').pop(),
      ...common,
    };
  }
  if (
    (await has('pom.xml')) ||
    (await has('build.gradle')) ||
    (await has('build.gradle.kts'))
  ) {
    return { stack: 'java', language: 'java', ...common };
  }
  throw new InputError(
    'cannot tell how this repository is built: there is no package.json, pyproject.toml, requirements.txt, go.mod, pom.xml or build.gradle at its root',
  );
}

/** `golden-path:detect-stack`: the stack of a checked-out repository. */
export function createDetectStackAction() {
  return createTemplateAction({
    id: 'golden-path:detect-stack',
    description:
      'Detects the stack (node, python, go, java) of the repository in the workspace, and which golden-path files it already has.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        path: repositoryPathInput,
      },
      output: {
        stack: z => z.enum(['node', 'python', 'go', 'java']),
        language: z => z.string(),
        name: z => z.string().optional(),
        description: z => z.string().optional(),
        hasCatalogInfo: z => z.boolean(),
        hasDockerfile: z => z.boolean(),
        hasDocs: z => z.boolean(),
        hasPipeline: z => z.boolean(),
      },
    },
    async handler(ctx) {
      const dir = await repositoryFolder(ctx.workspacePath, ctx.input.path);
      const detected = await detectStack(dir);
      ctx.logger.info(
        `Detected a ${detected.language} repository (${detected.stack})`,
      );
      for (const [key, value] of Object.entries(detected)) {
        if (value !== undefined) ctx.output(key as keyof DetectedStack, value);
      }
    },
  });
}
