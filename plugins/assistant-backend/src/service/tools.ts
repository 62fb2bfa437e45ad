/*
 * The assistant's tools: the portal's actions (the same ones MCP clients
 * get), listed and invoked with the asking person's credentials, so that
 * the assistant can never see or do more than that person. Actions marked
 * read-only are offered; an action that writes is offered only when the
 * configuration names it as confirmable (assistant.confirmableActions) and
 * it is not destructive, and then calling it only proposes it: the person
 * confirms it on the page (AssistantService). A tool the model makes up, or
 * arguments that are not JSON, are answered with an error the model can
 * read.
 */
import { BackstageCredentials } from '@backstage/backend-plugin-api';
import type {
  ActionsService,
  ActionsServiceAction,
} from '@backstage/backend-plugin-api/alpha';
import { ToolSpec } from '@portal/plugin-assistant-node';

/** What a tool call gave: its output for the model, as text, or an error. */
export type ToolResult =
  | { ok: true; text: string; output: unknown; truncated: boolean }
  | { ok: false; error: string };

/** The tools of one answer, for one person. */
export interface ToolSet {
  specs: ToolSpec[];
  /**
   * The action id, MCP-style name (`sre.get-slos`) and title of a tool
   * name, and whether calling it needs the person's confirmation.
   */
  resolve(
    name: string,
  ): { id: string; tool: string; title: string; confirm: boolean } | undefined;
  /** The arguments as an object, or why they are not one. */
  parse(args: string): { input: Record<string, unknown> } | { error: string };
  call(name: string, args: string): Promise<ToolResult>;
}

/** Told to the model with the description of an action it only proposes. */
const PROPOSE_ONLY =
  'Calling this only proposes it: the person sees it on the page and it is done only if they confirm it. Say what it will do and ask them to confirm; never claim it is done.';

/** `sre.get-slos` as providers accept a function name: `sre__get-slos`. */
export const toolNameOf = (action: ActionsServiceAction) =>
  `${action.pluginId}__${action.name}`.replace(/[^A-Za-z0-9_-]/g, '_');

export async function toolSet(options: {
  actions: ActionsService;
  credentials: BackstageCredentials;
  /** A tool's output is cut to this many characters for the model. */
  maxOutputChars: number;
  /** Action ids that write but may be proposed (assistant.confirmableActions). */
  confirmable?: string[];
}): Promise<ToolSet> {
  const { actions: offered } = await options.actions.list({
    credentials: options.credentials,
  });
  const confirmable = new Set(options.confirmable ?? []);
  const needsConfirmation = (action: ActionsServiceAction) =>
    !action.attributes.readOnly;
  const byName = new Map<string, ActionsServiceAction>();
  for (const action of offered) {
    if (
      action.attributes.readOnly ||
      (confirmable.has(action.id) && !action.attributes.destructive)
    ) {
      byName.set(toolNameOf(action), action);
    }
  }
  const parse: ToolSet['parse'] = args => {
    let input: unknown;
    try {
      input = args.trim() ? JSON.parse(args) : {};
    } catch {
      return { error: 'The arguments are not valid JSON' };
    }
    if (!input || typeof input !== 'object' || Array.isArray(input)) {
      return { error: 'The arguments must be a JSON object' };
    }
    return { input: input as Record<string, unknown> };
  };
  return {
    specs: [...byName].map(([name, action]) => ({
      name,
      description: (needsConfirmation(action)
        ? `${action.title}. ${PROPOSE_ONLY} ${action.description}`
        : `${action.title}. ${action.description}`
      ).slice(0, 1024),
      parameters: action.schema.input,
    })),
    resolve(name) {
      const action = byName.get(name);
      return action
        ? {
            id: action.id,
            tool: `${action.pluginId}.${action.name}`,
            title: action.title,
            confirm: needsConfirmation(action),
          }
        : undefined;
    },
    parse,
    async call(name, args) {
      const action = byName.get(name);
      if (!action) {
        return {
          ok: false,
          error: `There is no tool ${JSON.stringify(
            name.slice(0, 100),
          )}; the tools are: ${[...byName.keys()].join(', ')}`,
        };
      }
      if (needsConfirmation(action)) {
        return { ok: false, error: 'This tool needs the person to confirm it' };
      }
      const parsed = parse(args);
      if ('error' in parsed) return { ok: false, error: parsed.error };
      try {
        const output = await invokeAction(
          options.actions,
          action.id,
          parsed.input,
          options.credentials,
        );
        const text = JSON.stringify(output ?? null);
        const truncated = text.length > options.maxOutputChars;
        return {
          ok: true,
          output,
          truncated,
          text: truncated
            ? `${text.slice(0, options.maxOutputChars)}… (cut: ${
                text.length
              } characters in all; ask for a smaller page)`
            : text,
        };
      } catch (error) {
        return { ok: false, error: reasonOf(error) };
      }
    },
  };
}

/** Runs an action with the person's credentials; its output. */
export async function invokeAction(
  actions: ActionsService,
  id: string,
  input: Record<string, unknown>,
  credentials: BackstageCredentials,
): Promise<unknown> {
  const { output } = await actions.invoke({
    id,
    input: input as Record<string, any>,
    credentials,
  } as Parameters<ActionsService['invoke']>[0]);
  return output;
}

/**
 * Why an action failed: its own reason (the registry's 400 names the
 * argument, a plugin's 403 says why), not only the HTTP status.
 */
export function reasonOf(error: unknown): string {
  const reason =
    (error as { body?: { error?: { message?: string } } }).body?.error
      ?.message ?? (error as Error).message;
  return String(reason).slice(0, 2000);
}
