/*
 * `./portal yarn eval:assistant`: the assistant's evaluation set
 * (src/assistantEval/cases.ts) against the model configured for the portal
 * (assistant.openai or assistant.anthropic in app-config.yaml,
 * app-config.local.yaml or APP_CONFIG_ variables), on a demo portal with
 * its test data (a temporary in-memory database). Prints each question,
 * what the model did, and the score. `--scripted` runs the scripted model
 * instead (what the tests run).
 */
import { ConfigSources } from '@backstage/config-loader';
import { JsonObject } from '@backstage/types';
import {
  portalScript,
  startScriptedModel,
} from '@portal/test-utils/scriptedModel';
import path from 'node:path';
import { EVAL_CASES } from '../src/assistantEval/cases';
import {
  runEvalCase,
  startEvalPortal,
} from '../src/__testUtils__/assistantEval';

const ROOT = path.resolve(__dirname, '../../..');

async function assistantConfig(): Promise<JsonObject | undefined> {
  const config = await ConfigSources.toConfig(
    ConfigSources.default({ rootDir: ROOT, argv: [], env: process.env }),
  );
  const assistant = config.getOptionalConfig('assistant');
  config.close();
  if (!assistant?.has('openai') && !assistant?.has('anthropic')) {
    return undefined;
  }
  return assistant.get<JsonObject>();
}

async function main() {
  const scripted = process.argv.includes('--scripted');
  const model = scripted
    ? await startScriptedModel(request => portalScript(request))
    : undefined;
  const assistant = model
    ? { openai: { baseUrl: model.baseUrl, model: 'scripted' } }
    : await assistantConfig();
  if (!assistant) {
    console.error(
      'No model is configured: set assistant.openai or assistant.anthropic (docs/pages/assistant.md) in app-config.local.yaml, or run with --scripted',
    );
    process.exitCode = 2;
    return;
  }
  const provider = Object.keys(assistant).find(k => k !== 'limits');
  console.log(
    `Evaluating ${provider} (${(assistant as any)[provider!]?.model})`,
  );
  const portal = await startEvalPortal({
    database: { client: 'better-sqlite3', connection: ':memory:' },
    assistant,
  });
  let passed = 0;
  try {
    for (const evalCase of EVAL_CASES) {
      const outcome = await runEvalCase(portal, evalCase);
      if (outcome.passed) passed++;
      console.log(
        `${outcome.passed ? 'PASS' : 'FAIL'} ${evalCase.as}: ${
          evalCase.question
        }`,
      );
      console.log(
        `     tools: ${outcome.tools.join(', ') || 'none'}; cited: ${
          outcome.cited.join(', ') || 'nothing'
        }${
          outcome.problems.length ? `\n     ${outcome.problems.join('; ')}` : ''
        }`,
      );
    }
  } finally {
    await portal.stop();
    await model?.close();
  }
  const total = EVAL_CASES.length;
  console.log(
    `\nScore: ${passed}/${total} (${Math.round((passed / total) * 100)}%)`,
  );
}

main()
  .catch(error => {
    console.error(error);
    process.exitCode = 1;
  })
  // The test backend's scheduler keeps timers alive after it stops.
  .finally(() => process.exit());
