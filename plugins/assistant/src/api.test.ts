/**
 * @jest-environment node
 */
import { ResponseError } from '@backstage/errors';
import { AnswerEvent } from '@portal/plugin-assistant-common';
import { AssistantClient, createSseParser } from './api';

const BASE = 'http://localhost:7007/api/assistant';

const answer = {
  id: 'm2',
  role: 'assistant',
  content: 'component:default/cart-service has 40% of its budget left.',
  createdAt: '2026-12-01T10:00:00.000Z',
  citations: [
    {
      entityRef: 'component:default/cart-service',
      url: '/catalog/default/component/cart-service',
    },
  ],
  toolCalls: [
    { tool: 'sre.get-slos', input: { entityRef: 'cart-service' }, ok: true },
  ],
};

/** A response whose body arrives in the given pieces, as a stream does. */
function streamed(pieces: string[], init: ResponseInit = {}) {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const piece of pieces) controller.enqueue(encoder.encode(piece));
      controller.close();
    },
  });
  return new Response(body, {
    status: 200,
    headers: { 'content-type': 'text/event-stream' },
    ...init,
  });
}

function client(respond: (url: string, init?: RequestInit) => Response) {
  const fetch = jest.fn(async (url: string, init?: RequestInit) =>
    respond(url, init),
  );
  return {
    fetch,
    client: new AssistantClient({
      discoveryApi: { getBaseUrl: async () => BASE },
      fetchApi: { fetch: fetch as any },
    }),
  };
}

describe('createSseParser', () => {
  it('parses events split anywhere, with CRLF, comments and multi-line data', () => {
    const seen: Array<{ event: string; data: string }> = [];
    const parser = createSseParser(m => seen.push(m));
    const text =
      ': keep-alive\r\nevent: text\r\ndata: {"delta":"a"}\r\n\r\nevent: tool\ndata: {"tool":\ndata: "x"}\n\ndata: plain\n\n';
    for (const char of text) parser.push(char);
    parser.end();
    expect(seen).toEqual([
      { event: 'text', data: '{"delta":"a"}' },
      { event: 'tool', data: '{"tool":\n"x"}' },
      { event: 'message', data: 'plain' },
    ]);
  });

  it('gives the last event when the stream ends without a blank line', () => {
    const seen: string[] = [];
    const parser = createSseParser(m => seen.push(m.event));
    parser.push('event: done\ndata: {}');
    expect(seen).toEqual([]);
    parser.end();
    expect(seen).toEqual(['done']);
  });
});

describe('AssistantClient', () => {
  it('POSTs the question and passes on every event of the stream as it comes', async () => {
    const message = JSON.stringify({ message: answer });
    const { client: api, fetch } = client(() =>
      streamed([
        'event: tool\ndata: {"tool":"sre.get-slos","input":{"entityRef":"cart-service"}}\n\n',
        'event: tool-result\ndata: {"tool":"sre.get-slos","ok":true}\n\nevent: te',
        'xt\ndata: {"delta":"component:default/cart-service has "}\n\n',
        'event: text\ndata: {"delta":"40% of its budget left."}\n\n',
        `event: done\ndata: ${message.slice(0, 30)}`,
        `${message.slice(30)}\n\n`,
      ]),
    );
    const events: AnswerEvent[] = [];
    const result = await api.ask('c1', 'Is cart-service burning?', e =>
      events.push(e),
    );
    expect(result).toEqual(answer);
    expect(events).toEqual([
      {
        type: 'tool',
        tool: 'sre.get-slos',
        input: { entityRef: 'cart-service' },
      },
      { type: 'tool-result', tool: 'sre.get-slos', ok: true },
      { type: 'text', delta: 'component:default/cart-service has ' },
      { type: 'text', delta: '40% of its budget left.' },
      { type: 'done', message: answer },
    ]);
    const [url, init] = fetch.mock.calls[0];
    expect(url).toBe(`${BASE}/conversations/c1/messages`);
    expect(init?.method).toBe('POST');
    expect(JSON.parse(String(init?.body))).toEqual({
      content: 'Is cart-service burning?',
    });
  });

  it('throws a ResponseError with the reason when the question is refused', async () => {
    const { client: api } = client(
      () =>
        new Response(
          JSON.stringify({
            error: {
              name: 'InputError',
              message: 'content is 5000 characters; the most is 4000',
            },
            response: { statusCode: 400 },
          }),
          { status: 400, headers: { 'content-type': 'application/json' } },
        ),
    );
    const onEvent = jest.fn();
    const refusal = await api.ask('c1', 'x', onEvent).catch(e => e);
    expect(refusal).toBeInstanceOf(ResponseError);
    expect(refusal.response.status).toBe(400);
    expect(refusal.body.error.message).toBe(
      'content is 5000 characters; the most is 4000',
    );
    expect(onEvent).not.toHaveBeenCalled();
  });

  it('fails with the error event, and when the stream ends without an answer', async () => {
    const failing = client(() =>
      streamed([
        'event: text\ndata: {"delta":"Half"}\n\n',
        'event: error\ndata: {"message":"the database went away"}\n\n',
      ]),
    );
    await expect(failing.client.ask('c1', 'q', () => {})).rejects.toThrow(
      'the database went away',
    );
    const cut = client(() => streamed(['event: text\ndata: {"delta":"Ha']));
    await expect(cut.client.ask('c1', 'q', () => {})).rejects.toThrow(
      'The answer ended before it was complete',
    );
  });

  it('pages, creates, reads and deletes conversations', async () => {
    const { client: api, fetch } = client((url, init) => {
      if (init?.method === 'DELETE') return new Response(null, { status: 204 });
      if (init?.method === 'POST') {
        return Response.json({ id: 'c2', title: 'T' }, { status: 201 });
      }
      if (url.endsWith('/c404')) {
        return Response.json(
          { error: { name: 'NotFoundError', message: 'no' } },
          { status: 404 },
        );
      }
      return Response.json({ items: [], totalCount: 0 });
    });
    await api.listConversations({ cursor: '20', limit: 20 });
    expect(fetch.mock.calls[0][0]).toBe(
      `${BASE}/conversations?cursor=20&limit=20`,
    );
    await expect(api.createConversation('T')).resolves.toEqual({
      id: 'c2',
      title: 'T',
    });
    expect(JSON.parse(String(fetch.mock.calls[1][1]?.body))).toEqual({
      title: 'T',
    });
    await api.deleteConversation('c2');
    expect(fetch.mock.calls[2][0]).toBe(`${BASE}/conversations/c2`);
    await expect(api.getConversation('c404')).rejects.toBeInstanceOf(
      ResponseError,
    );
  });
});
