/*
 * A minimal MCP client for tests: JSON-RPC over the streamable HTTP
 * transport of Backstage's MCP actions plugin (POST /api/mcp-actions/v1),
 * one request per call, as a stateless server expects.
 */
import request from 'supertest';

/** What a JSON-RPC call answered: the HTTP status and the response message. */
export interface McpResponse {
  status: number;
  body: any;
}

let nextId = 1;

/** Sends one JSON-RPC request; `authorization` is a bearer header or none. */
export async function mcp(
  server: Parameters<typeof request>[0],
  authorization: string | undefined,
  method: string,
  params: object = {},
): Promise<McpResponse> {
  let req = request(server)
    .post('/api/mcp-actions/v1')
    .set('accept', 'application/json, text/event-stream')
    .set('content-type', 'application/json');
  if (authorization) req = req.set('authorization', authorization);
  const res = await req
    .buffer(true)
    .parse((response, callback) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        text += chunk;
      });
      response.on('end', () => callback(null, text));
    })
    .send({ jsonrpc: '2.0', id: nextId++, method, params });
  const text = String(res.body ?? '');
  // The transport answers with server-sent events: the message is the
  // data of the last event.
  const data = text
    .split('\n')
    .filter(line => line.startsWith('data:'))
    .map(line => line.slice(5).trim());
  let body: any = text;
  try {
    body = JSON.parse(data.length ? data[data.length - 1] : text);
  } catch {
    // not JSON: keep the text (an HTML or plain error)
  }
  return { status: res.status, body };
}

/**
 * Calls a tool: its structured output, or `{ error }` with the text the
 * tool reported when it failed (a denial, bad arguments).
 */
export async function callTool(
  server: Parameters<typeof request>[0],
  authorization: string,
  name: string,
  args: object = {},
): Promise<{ output?: any; error?: string }> {
  const res = await mcp(server, authorization, 'tools/call', {
    name,
    arguments: args,
  });
  if (res.status !== 200) {
    throw new Error(
      `tools/call answered ${res.status}: ${JSON.stringify(res.body)}`,
    );
  }
  if (res.body.error) return { error: res.body.error.message };
  const result = res.body.result;
  if (result.isError) {
    return { error: result.content?.map((c: any) => c.text).join('\n') };
  }
  return { output: result.structuredContent };
}
