import { AnthropicProvider, toAnthropic } from './AnthropicProvider';

/** A streamed Messages API answer, in the event shapes Anthropic documents. */
function stream(events: object[]) {
  const body = events
    .map(e => `event: ${(e as any).type}\ndata: ${JSON.stringify(e)}\n\n`)
    .join('');
  return new Response(body, {
    status: 200,
    headers: { 'content-type': 'text/event-stream' },
  });
}

describe('AnthropicProvider', () => {
  it('sends the conversation in the Messages API shape and reads a streamed tool call', async () => {
    const sent: any[] = [];
    const provider = new AnthropicProvider({
      apiKey: 'sk-ant-test',
      model: 'claude-test',
      baseUrl: 'http://anthropic.local/',
      fetch: async (url, init) => {
        sent.push({
          url,
          headers: init!.headers,
          body: JSON.parse(String(init!.body)),
        });
        return stream([
          { type: 'message_start', message: { usage: { input_tokens: 321 } } },
          {
            type: 'content_block_start',
            index: 0,
            content_block: { type: 'text', text: '' },
          },
          {
            type: 'content_block_delta',
            index: 0,
            delta: { type: 'text_delta', text: 'Let me ' },
          },
          {
            type: 'content_block_delta',
            index: 0,
            delta: { type: 'text_delta', text: 'check.' },
          },
          { type: 'content_block_stop', index: 0 },
          {
            type: 'content_block_start',
            index: 1,
            content_block: {
              type: 'tool_use',
              id: 'toolu_01',
              name: 'sre__get-slos',
              input: {},
            },
          },
          {
            type: 'content_block_delta',
            index: 1,
            delta: { type: 'input_json_delta', partial_json: '{"entityRef":' },
          },
          {
            type: 'content_block_delta',
            index: 1,
            delta: {
              type: 'input_json_delta',
              partial_json: '"component:default/cart-service"}',
            },
          },
          { type: 'content_block_stop', index: 1 },
          {
            type: 'message_delta',
            delta: { stop_reason: 'tool_use' },
            usage: { output_tokens: 45 },
          },
          { type: 'message_stop' },
        ]);
      },
    });
    const texts: string[] = [];
    const response = await provider.chat({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Is cart-service burning?' },
        {
          role: 'assistant',
          content: '',
          toolCalls: [
            { id: 'toolu_00', name: 'bi__list-dashboards', arguments: '{}' },
          ],
        },
        {
          role: 'tool',
          toolCallId: 'toolu_00',
          name: 'bi__list-dashboards',
          content: '{"items":[]}',
        },
      ],
      tools: [
        {
          name: 'sre__get-slos',
          description: 'SLOs',
          parameters: { type: 'object' },
        },
      ],
      maxOutputTokens: 500,
      signal: new AbortController().signal,
      onText: t => texts.push(t),
    });
    expect(response).toEqual({
      text: 'Let me check.',
      toolCalls: [
        {
          id: 'toolu_01',
          name: 'sre__get-slos',
          arguments: '{"entityRef":"component:default/cart-service"}',
        },
      ],
      usage: { inputTokens: 321, outputTokens: 45 },
    });
    expect(texts).toEqual(['Let me ', 'check.']);
    expect(sent[0].url).toBe('http://anthropic.local/v1/messages');
    expect(sent[0].headers).toMatchObject({
      'x-api-key': 'sk-ant-test',
      'anthropic-version': '2023-06-01',
    });
    expect(sent[0].body).toMatchObject({
      model: 'claude-test',
      max_tokens: 500,
      system: 'Be brief.',
      stream: true,
      tools: [
        {
          name: 'sre__get-slos',
          description: 'SLOs',
          input_schema: { type: 'object' },
        },
      ],
      messages: [
        {
          role: 'user',
          content: [{ type: 'text', text: 'Is cart-service burning?' }],
        },
        {
          role: 'assistant',
          content: [
            {
              type: 'tool_use',
              id: 'toolu_00',
              name: 'bi__list-dashboards',
              input: {},
            },
          ],
        },
        {
          role: 'user',
          content: [
            {
              type: 'tool_result',
              tool_use_id: 'toolu_00',
              content: '{"items":[]}',
            },
          ],
        },
      ],
    });
  });

  it('merges consecutive tool results into one user turn and keeps unreadable arguments as data', () => {
    const { messages } = toAnthropic([
      { role: 'user', content: 'Q' },
      {
        role: 'assistant',
        content: 'Two calls',
        toolCalls: [
          { id: 'a', name: 'x', arguments: '{"n":1}' },
          { id: 'b', name: 'y', arguments: '{broken' },
        ],
      },
      { role: 'tool', toolCallId: 'a', name: 'x', content: '1' },
      { role: 'tool', toolCallId: 'b', name: 'y', content: 'Error: bad' },
    ]);
    expect(messages.map(m => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(messages[1].content[2]).toEqual({
      type: 'tool_use',
      id: 'b',
      name: 'y',
      input: { unreadable: '{broken' },
    });
    expect(messages[2].content).toHaveLength(2);
  });

  it('says what failed: an HTTP error, an error event, a stream that is not JSON', async () => {
    const request = {
      messages: [{ role: 'user' as const, content: 'Q' }],
      tools: [],
      maxOutputTokens: 10,
      signal: new AbortController().signal,
    };
    const failing = (response: Response) =>
      new AnthropicProvider({
        apiKey: 'k',
        model: 'm',
        fetch: async () => response,
      });
    await expect(
      failing(
        new Response('{"type":"error","error":{"type":"overloaded_error"}}', {
          status: 529,
        }),
      ).chat(request),
    ).rejects.toThrow(/The model answered 529/);
    await expect(
      failing(
        stream([
          {
            type: 'error',
            error: { type: 'overloaded_error', message: 'Overloaded' },
          },
        ]),
      ).chat(request),
    ).rejects.toThrow('The model failed: Overloaded');
    await expect(
      failing(new Response('event: x\ndata: {nope\n\n', { status: 200 })).chat(
        request,
      ),
    ).rejects.toThrow(/not JSON/);
  });
});
