/*
 * The assistant's tools: the portal's actions (the same ones MCP clients
 * get), listed and invoked with the asking person's credentials, so that
 * the assistant can never see or do more than that person. Only actions
 * marked read-only are offered; a tool the model makes up, or arguments
 * that are not JSON, are answered with an error the model can read.
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
  /** The action id and MCP-style name (`sre.get-slos`) of a tool name. */
  resolve(name: string): { id: string; title: string } | undefined;
  call(name: string, args: string): Promise<ToolResult>;
}

/** `sre.get-slos` as providers accept a function name: `sre__get-slos`. */
export const toolNameOf = (action: ActionsServiceAction) =>
  `${action.pluginId}__${action.name}`.replace(/[^A-Za-z0-9_-]/g, '_');

export async function toolSet(options: {
  actions: ActionsService;
  credentials: BackstageCredentials;
  /** A tool's output is cut to this many characters for the model. */
  maxOutputChars: number;
}): Promise<ToolSet> {
  const { actions: offered } = await options.actions.list({
    credentials: options.credentials,
  });
  const byName = new Map<string, ActionsServiceAction>();
  for (const action of offered) {
    if (action.attributes.readOnly) byName.set(toolNameOf(action), action);
  }
  return {
    specs: [...byName].map(([name, action]) => ({
      name,
      description: `${action.title}. ${action.description}`.slice(0, 1024),
      parameters: action.schema.input,
    })),
    resolve(name) {
      const action = byName.get(name);
      return action
        ? { id: action.id, title: `${action.pluginId}.${action.name}` }
        : undefined;
    },
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
      let input: unknown;
      try {
        input = args.trim() ? JSON.parse(args) : {};
      } catch {
        return { ok: false, error: 'The arguments are not valid JSON' };
      }
      if (!input || typeof input !== 'object' || Array.isArray(input)) {
        return { ok: false, error: 'The arguments must be a JSON object' };
      }
      try {
        const { output } = await options.actions.invoke({
          id: action.id,
          input: input as Record<string, any>,
          credentials: options.credentials,
        } as Parameters<ActionsService['invoke']>[0]);
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
        // The action's own reason (the registry's 400 names the argument,
        // a plugin's 403 says why), not only the HTTP status.
        const reason =
          (error as { body?: { error?: { message?: string } } }).body?.error
            ?.message ?? (error as Error).message;
        return { ok: false, error: String(reason).slice(0, 2000) };
      }
    },
  };
}
