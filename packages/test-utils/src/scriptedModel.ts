/*
 * A scripted model behind a local OpenAI-compatible chat completions API,
 * for testing the assistant without a real model: each request is answered
 * by a script (text, tool calls, errors, endless tool calls, huge or
 * malformed output), streamed as the real API streams, and every request
 * is kept for assertions.
 */
import http from 'node:http';
import { AddressInfo } from 'node:net';

/** What the scripted model does with one request. */
export type ScriptedTurn =
  | {
      /** Text to answer with (streamed in a few chunks). */
      text?: string;
      /** Tool calls to ask for; arguments are sent as written (may be bad JSON). */
      toolCalls?: Array<{ name: string; arguments: string }>;
      usage?: { prompt_tokens: number; completion_tokens: number };
    }
  | { status: number; body: string }
  | { raw: string }
  | { hang: true };

/** One request the model received. */
export interface ScriptedRequest {
  headers: http.IncomingHttpHeaders;
  body: any;
  /** The last message's content. */
  lastMessage: any;
  /** The tool names it was offered. */
  toolNames: string[];
}

export interface ScriptedModel {
  /** e.g. http://127.0.0.1:43210/v1 */
  baseUrl: string;
  requests: ScriptedRequest[];
  close(): Promise<void>;
}

/** The first user message of a request: the question being answered. */
export function questionOf(body: any): string {
  const users = (body.messages ?? []).filter((m: any) => m.role === 'user');
  return String(users[users.length - 1]?.content ?? '');
}

/** The tool results of the request's last turn, parsed where they are JSON. */
export function toolResultsOf(body: any): Array<{ id: string; content: any }> {
  const messages: any[] = body.messages ?? [];
  const results = [];
  for (
    let i = messages.length - 1;
    i >= 0 && messages[i].role === 'tool';
    i--
  ) {
    let content = messages[i].content;
    try {
      content = JSON.parse(content);
    } catch {
      // an error text
    }
    results.unshift({ id: messages[i].tool_call_id, content });
  }
  return results;
}

const chunk = (data: object) => `data: ${JSON.stringify(data)}\n\n`;

/**
 * Starts the model; `script` answers each request in turn. It listens on
 * a free loopback port unless `options.port` names one.
 */
export async function startScriptedModel(
  script: (request: ScriptedRequest, index: number) => ScriptedTurn,
  options: { port?: number; host?: string } = {},
): Promise<ScriptedModel> {
  const requests: ScriptedRequest[] = [];
  const hanging = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', part => {
      raw += part;
    });
    req.on('end', () => {
      if (
        req.method !== 'POST' ||
        !req.url?.startsWith('/v1/chat/completions')
      ) {
        res.writeHead(404).end();
        return;
      }
      const body = JSON.parse(raw);
      const request: ScriptedRequest = {
        headers: req.headers,
        body,
        lastMessage: body.messages?.[body.messages.length - 1],
        toolNames: (body.tools ?? []).map((t: any) => t.function?.name),
      };
      requests.push(request);
      const turn = script(request, requests.length - 1);
      if ('hang' in turn) {
        hanging.add(res);
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        return;
      }
      if ('status' in turn) {
        res.writeHead(turn.status, { 'content-type': 'application/json' });
        res.end(turn.body);
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      if ('raw' in turn) {
        res.end(turn.raw);
        return;
      }
      const base = { id: 'chatcmpl-scripted', object: 'chat.completion.chunk' };
      const text = turn.text ?? '';
      const third = Math.ceil(text.length / 3) || 1;
      for (let i = 0; i < text.length; i += third) {
        res.write(
          chunk({
            ...base,
            choices: [
              { index: 0, delta: { content: text.slice(i, i + third) } },
            ],
          }),
        );
      }
      (turn.toolCalls ?? []).forEach((call, index) => {
        const half = Math.ceil(call.arguments.length / 2);
        res.write(
          chunk({
            ...base,
            choices: [
              {
                index: 0,
                delta: {
                  tool_calls: [
                    {
                      index,
                      id: `call_${requests.length}_${index}`,
                      type: 'function',
                      function: {
                        name: call.name,
                        arguments: call.arguments.slice(0, half),
                      },
                    },
                  ],
                },
              },
            ],
          }),
        );
        res.write(
          chunk({
            ...base,
            choices: [
              {
                index: 0,
                delta: {
                  tool_calls: [
                    {
                      index,
                      function: { arguments: call.arguments.slice(half) },
                    },
                  ],
                },
              },
            ],
          }),
        );
      });
      res.write(
        chunk({
          ...base,
          choices: [
            {
              index: 0,
              delta: {},
              finish_reason: turn.toolCalls?.length ? 'tool_calls' : 'stop',
            },
          ],
        }),
      );
      res.write(
        chunk({
          ...base,
          choices: [],
          usage: turn.usage ?? { prompt_tokens: 100, completion_tokens: 20 },
        }),
      );
      res.end('data: [DONE]\n\n');
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://${host}:${port}/v1`,
    requests,
    close: () =>
      new Promise(resolve => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export { entityOfQuestion, portalScript } from './portalScript';
