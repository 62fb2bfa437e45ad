/*
 * A rule-based script for the portal's demo (`scripts/scripted-model.ts`,
 * the end-to-end tests): on a question it calls the fitting tool with the
 * entity the question names; on the tool's result it answers with the
 * entity's ref and the figures, or, when the tool refused, says that the
 * person may not see it and quotes the tool's error.
 */
import {
  questionOf,
  ScriptedRequest,
  ScriptedTurn,
  toolResultsOf,
} from './scriptedModel';

/** The tool for a question: its name in the request and its arguments. */
interface Rule {
  words: RegExp;
  tool: (toolNames: string[]) => string | undefined;
  args: (entityRef: string) => object | undefined;
}

const named = (name: string) => (toolNames: string[]) =>
  toolNames.includes(name) ? name : undefined;

/** An SLO, alert or delivery tool takes an entity or a group. */
const targetArgs = (ref: string) =>
  ref.startsWith('group:') ? { groupRef: ref } : { entityRef: ref };

const nameOfRef = (ref: string) => ref.slice(ref.indexOf('/') + 1);

/** A request for an exemption (proposed, after reading the findings). */
const REQUEST_EXEMPTION = /\b(request|ask for|file)\b.*\bexempt/i;

const RULES: Rule[] = [
  {
    words: REQUEST_EXEMPTION,
    tool: named('secops__get-findings'),
    args: ref => ({ entityRef: ref, status: 'open', limit: 1 }),
  },
  {
    words: /econom|unit cost|cost per|per order/i,
    tool: named('bi__get-product-economics'),
    args: ref =>
      /^(system|domain):/.test(ref) ? { productRef: ref } : undefined,
  },
  {
    words: /error budget|\bslos?\b|burn|reliab|availab/i,
    tool: named('sre__get-slos'),
    args: targetArgs,
  },
  { words: /alert/i, tool: named('sre__get-alerts'), args: targetArgs },
  {
    words: /deploy|deliver|dora|lead time/i,
    tool: named('sre__get-delivery-metrics'),
    args: targetArgs,
  },
  {
    words: /gate|release/i,
    tool: named('secops__get-gate-status'),
    args: ref => ({ entityRef: ref }),
  },
  {
    words: /exempt/i,
    tool: named('secops__list-exemptions'),
    args: ref => ({ entityRef: ref }),
  },
  {
    words: /finding|vulnerab|\bcve\b|secur/i,
    tool: named('secops__get-findings'),
    args: ref => ({ entityRef: ref, status: 'open' }),
  },
  {
    words: /dashboard/i,
    tool: named('bi__list-dashboards'),
    args: ref => ({ search: nameOfRef(ref) }),
  },
  {
    words: /cost|spend|bill/i,
    tool: named('finops__get-cost'),
    args: targetArgs,
  },
];

/** The entity a question names: a full ref, "the X system", or a name. */
export function entityOfQuestion(question: string): string | undefined {
  const ref =
    /\b(component|system|domain|resource|api|group):([a-z0-9_.-]+)\/([a-z0-9_-]+(?:\.[a-z0-9_-]+)*)/i.exec(
      question,
    );
  if (ref) return ref[0].toLowerCase();
  const product = /\bthe ([a-z0-9][a-z0-9-]*) (system|domain|product)\b/i.exec(
    question,
  );
  if (product) {
    const kind = product[2].toLowerCase() === 'domain' ? 'domain' : 'system';
    return `${kind}:default/${product[1].toLowerCase()}`;
  }
  const name = /\b([a-z0-9]+(?:-[a-z0-9]+)+)\b/i.exec(question);
  if (name) {
    const lower = name[1].toLowerCase();
    return lower.startsWith('team-')
      ? `group:default/${lower}`
      : `component:default/${lower}`;
  }
  return undefined;
}

const number = (value: number) =>
  Number.isInteger(value)
    ? value.toLocaleString('en-US')
    : value.toLocaleString('en-US', { maximumFractionDigits: 3 });

const percent = (value: number | null | undefined) =>
  value === null || value === undefined
    ? 'unknown'
    : `${Math.round(value * 1000) / 10}%`;

/** What a tool's output says, in a sentence or a short list. */
function summarise(tool: string, entityRef: string, output: any): string {
  if (tool === 'secops__request-exemption' && output?.proposed) {
    return `I proposed to ask the security team to exempt finding ${entityRef} from the release gate for 30 days. Nothing is sent until you confirm it here.`;
  }
  if (tool === 'bi__get-product-economics' && output?.months) {
    const months: string[] = output.months;
    if (!months.length) {
      return `${output.ref} has no cost or business figures yet.`;
    }
    // The latest month with a business figure, else the latest month.
    let at = months.length - 1;
    for (let i = months.length - 1; i >= 0; i--) {
      if (output.metrics.some((m: any) => m.values[i] !== null)) {
        at = i;
        break;
      }
    }
    const lines = [
      `${output.ref} cost ${number(output.cost[at])} ${output.currency} in ${
        months[at]
      }.`,
    ];
    for (const metric of output.metrics) {
      if (metric.values[at] === null) continue;
      const unitCost = metric.unitCost[at];
      lines.push(
        `- ${metric.title}: ${number(metric.values[at])}${
          unitCost === null
            ? ''
            : `, ${number(unitCost)} ${output.currency} per ${metric.unit}`
        }`,
      );
    }
    return lines.join('\n');
  }
  if (tool === 'sre__get-slos' && Array.isArray(output?.items)) {
    if (!output.items.length) return `${entityRef} has no SLOs.`;
    return output.items
      .slice(0, 5)
      .map(
        (slo: any) =>
          `- ${slo.entityRef} ${slo.displayName}: ${
            slo.status
          }, error budget left ${percent(slo.errorBudgetRemaining)}`,
      )
      .join('\n');
  }
  if (tool === 'secops__get-findings' && Array.isArray(output?.items)) {
    const worst = output.items
      .slice(0, 3)
      .map((f: any) =>
        `- ${f.severity} ${f.ruleId}${
          f.packageName ? ` in ${f.packageName} ${f.packageVersion ?? ''}` : ''
        }${f.fixedVersion ? ` (fixed in ${f.fixedVersion})` : ''}`.trimEnd(),
      );
    return [
      `${entityRef} has ${number(output.totalCount)} open findings${
        worst.length ? ', the worst:' : '.'
      }`,
      ...worst,
    ].join('\n');
  }
  if (tool === 'bi__list-dashboards' && Array.isArray(output?.items)) {
    if (!output.items.length)
      return `No dashboards match ${nameOfRef(entityRef)}.`;
    return output.items
      .slice(0, 5)
      .map((d: any) => `- ${d.title} on ${d.entityRef} (${d.tool}): ${d.url}`)
      .join('\n');
  }
  if (tool === 'finops__get-cost' && typeof output?.total === 'number') {
    const change =
      output.changePercent === null
        ? ''
        : `, ${output.changePercent >= 0 ? 'up' : 'down'} ${number(
            Math.abs(output.changePercent),
          )}% on as many days before`;
    return `${output.ref} cost ${number(output.total)} ${
      output.currency
    } from ${output.from} to ${output.to}${change}.`;
  }
  const text = typeof output === 'string' ? output : JSON.stringify(output);
  return `${tool.replace('__', '.')} for ${entityRef}: ${text.slice(0, 400)}`;
}

/**
 * For "request an exemption for X": once the findings are read, the
 * proposal of an exemption of the first one (30 days).
 */
function proposedExemption(request: ScriptedRequest): ScriptedTurn | undefined {
  if (!REQUEST_EXEMPTION.test(questionOf(request.body))) return undefined;
  if (!request.toolNames.includes('secops__request-exemption'))
    return undefined;
  const [result] = toolResultsOf(request.body);
  const call = callOf(request.body, result.id);
  const finding = result.content?.items?.[0];
  if (call?.name !== 'secops__get-findings' || !finding?.id) return undefined;
  return {
    toolCalls: [
      {
        name: 'secops__request-exemption',
        arguments: JSON.stringify({
          findingId: finding.id,
          justification: `The fix of ${
            finding.title ?? 'this finding'
          } ships with the next release`.slice(0, 300),
          expiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
        }),
      },
    ],
  };
}

/** The tool call of the request's messages with this id. */
function callOf(body: any, id: string) {
  for (const message of body.messages ?? []) {
    for (const call of message.tool_calls ?? []) {
      if (call.id === id) return call.function;
    }
  }
  return undefined;
}

/**
 * The demo's model: one tool call for a question, then an answer from what
 * it returned (see the comment above).
 */
export function portalScript(request: ScriptedRequest): ScriptedTurn {
  const results = toolResultsOf(request.body);
  const exemption = results.length ? proposedExemption(request) : undefined;
  if (exemption) return exemption;
  if (results.length) {
    const parts = results.map(result => {
      const call = callOf(request.body, result.id);
      const tool: string = call?.name ?? 'the tool';
      let args: any = {};
      try {
        args = JSON.parse(call?.arguments ?? '{}');
      } catch {
        // shown as it was
      }
      const entityRef: string =
        args.entityRef ??
        args.findingId ??
        args.productRef ??
        args.groupRef ??
        args.search ??
        'that';
      if (
        typeof result.content === 'string' &&
        /^Error: /.test(result.content)
      ) {
        return `You may not see that: ${tool.replace(
          '__',
          '.',
        )} refused it, saying “${result.content.slice(7)}”`;
      }
      return summarise(tool, entityRef, result.content);
    });
    return { text: parts.join('\n\n') };
  }
  const question = questionOf(request.body);
  const entityRef = entityOfQuestion(question);
  if (!entityRef) {
    return {
      text: 'Which service, product or team do you mean? Name it, for example cart-service or the checkout system.',
    };
  }
  for (const rule of RULES) {
    if (!rule.words.test(question)) continue;
    const tool = rule.tool(request.toolNames);
    const args = tool && rule.args(entityRef);
    if (tool && args) {
      return { toolCalls: [{ name: tool, arguments: JSON.stringify(args) }] };
    }
  }
  return {
    text: `I have no tool for that question about ${entityRef}. I can look up: ${request.toolNames
      .map(name => name.replace('__', '.'))
      .join(', ')}.`,
  };
}
