/*
 * The assistant's evaluation set (issue 14, item 7) against the scripted
 * model (@portal/test-utils/scriptedModel's portalScript: the fitting tool
 * for a question, an answer from what it returned): every question of
 * src/assistantEval/cases.ts, asked by its person through the assistant's
 * API on the demo portal with its data, calls the expected tools and cites
 * the expected entities, or is refused when the person may not see it.
 * `./portal yarn eval:assistant` runs the same set against a real model.
 */
import {
  portalScript,
  ScriptedModel,
  startScriptedModel,
} from '@portal/test-utils/scriptedModel';
import { EVAL_CASES } from './assistantEval/cases';
import { runEvalCase, startEvalPortal } from './__testUtils__/assistantEval';
import { DemoPortal } from './__testUtils__/demoPortal';

describe('the assistant on its evaluation set, with the scripted model', () => {
  let model: ScriptedModel;
  let portal: DemoPortal;

  beforeAll(async () => {
    model = await startScriptedModel(request => portalScript(request));
    portal = await startEvalPortal({
      database: { client: 'better-sqlite3', connection: ':memory:' },
      assistant: {
        openai: { baseUrl: model.baseUrl, model: 'scripted' },
      },
    });
  }, 180_000);

  afterAll(async () => {
    await portal?.stop();
    await model?.close();
  });

  it('has at least 30 questions, refusals among them', () => {
    expect(EVAL_CASES.length).toBeGreaterThanOrEqual(30);
    expect(EVAL_CASES.filter(c => c.refused).length).toBeGreaterThanOrEqual(5);
  });

  it.each(EVAL_CASES.map(c => [`${c.as}: ${c.question}`, c] as const))(
    '%s',
    async (_name, evalCase) => {
      const outcome = await runEvalCase(portal, evalCase);
      expect({ problems: outcome.problems, answer: outcome.answer }).toEqual({
        problems: [],
        answer: outcome.answer,
      });
    },
    60_000,
  );
});
