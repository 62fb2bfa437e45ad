/*
 * Runs the assistant's evaluation set (src/assistantEval/cases.ts) against
 * a demo portal: the sign-in stack, the plugins whose actions the assistant
 * calls, the assistant with a model (the scripted one in the tests, a real
 * one with `./portal yarn eval:assistant`), and the test data. Each case is
 * asked by its person in a new conversation; it passes when the answer
 * called the expected tools and cites the expected entities, or, for a
 * refusal, when a tool refused and nothing was cited.
 */
import {
  actionsRegistryServiceFactory,
  actionsServiceFactory,
} from '@backstage/backend-defaults/alpha';
import { JsonObject } from '@backstage/types';
import assistantPlugin from '@portal/plugin-assistant-backend';
import anthropicModule from '@portal/plugin-assistant-backend-module-anthropic';
import openAiModule from '@portal/plugin-assistant-backend-module-openai';
import biPlugin from '@portal/plugin-bi-backend';
import finopsPlugin from '@portal/plugin-finops-backend';
import secopsPlugin from '@portal/plugin-secops-backend';
import srePlugin from '@portal/plugin-sre-backend';
import request from 'supertest';
import { EvalCase } from '../assistantEval/cases';
import { importBillingExport, syncSlos, uploadTrivyReport } from './demoData';
import { DemoPortal, startDemoPortal } from './demoPortal';

/** What one case gave, and why it failed if it did. */
export interface EvalOutcome {
  evalCase: EvalCase;
  passed: boolean;
  problems: string[];
  tools: string[];
  cited: string[];
  refusedBy: string[];
  answer: string;
}

/** The demo portal with its data and the assistant on `assistant` config. */
export async function startEvalPortal(options: {
  database: JsonObject;
  /** The assistant's config: openai or anthropic, and limits. */
  assistant: JsonObject;
}): Promise<DemoPortal> {
  const portal = await startDemoPortal({
    database: options.database,
    features: [
      actionsRegistryServiceFactory,
      actionsServiceFactory,
      biPlugin,
      srePlugin,
      secopsPlugin,
      finopsPlugin,
      assistantPlugin,
      openAiModule,
      anthropicModule,
    ],
    config: {
      backend: {
        database: options.database,
        actions: { pluginSources: ['bi', 'sre', 'secops', 'finops'] },
      },
      assistant: options.assistant,
    },
  });
  await uploadTrivyReport(portal, [
    ['component:default/payments-api', 'ben-okafor'],
    ['component:default/product-catalogue-service', 'emma-schulz'],
  ]);
  await importBillingExport(portal);
  await syncSlos(portal);
  return portal;
}

/** An answer's server-sent events, parsed. */
function eventsOf(text: string): any[] {
  return text
    .split('\n\n')
    .filter(Boolean)
    .map(block => {
      const type = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      return { type, ...JSON.parse(data ?? '{}') };
    });
}

/** Asks one case's question as its person and judges the answer. */
export async function runEvalCase(
  portal: DemoPortal,
  evalCase: EvalCase,
): Promise<EvalOutcome> {
  const auth = await portal.as(evalCase.as);
  const conversation = await request(portal.server)
    .post('/api/assistant/conversations')
    .set('authorization', auth)
    .send({ title: evalCase.question.slice(0, 100) });
  const res = await request(portal.server)
    .post(`/api/assistant/conversations/${conversation.body.id}/messages`)
    .set('authorization', auth)
    .send({ content: evalCase.question });
  const events = res.status === 200 ? eventsOf(res.text) : [];
  const done = events.find(e => e.type === 'done')?.message;
  const tools = events.filter(e => e.type === 'tool').map(e => e.tool);
  const refusedBy = events
    .filter(e => e.type === 'tool-result' && !e.ok)
    .map(e => `${e.tool}: ${e.error}`);
  const cited: string[] = (done?.citations ?? []).map((c: any) => c.entityRef);
  const problems: string[] = [];
  if (!done) problems.push(`no answer (${res.status})`);
  for (const tool of evalCase.tools) {
    if (!tools.includes(tool)) problems.push(`did not call ${tool}`);
  }
  if (evalCase.refused) {
    if (!refusedBy.length) problems.push('no tool refused it');
    if (cited.length) problems.push(`cited ${cited.join(', ')} when refused`);
  } else {
    if (refusedBy.length) problems.push(`refused: ${refusedBy.join('; ')}`);
    for (const ref of evalCase.cites) {
      if (!cited.includes(ref)) problems.push(`did not cite ${ref}`);
    }
  }
  return {
    evalCase,
    passed: problems.length === 0,
    problems,
    tools,
    cited,
    refusedBy,
    answer: done?.content ?? '',
  };
}
