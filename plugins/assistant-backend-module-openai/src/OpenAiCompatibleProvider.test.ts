import { startScriptedModel } from '@portal/test-utils/scriptedModel';
import { OpenAiCompatibleProvider } from './OpenAiCompatibleProvider';

const request = (signal = new AbortController().signal) => ({
  messages: [
    { role: 'system' as const, content: 'Be brief.' },
    { role: 'user' as const, content: 'Is cart-service burning?' },
  ],
  tools: [
    {
      name: 'sre__get-slos',
      description: 'SLOs',
      parameters: { type: 'object' },
    },
  ],
  maxOutputTokens: 300,
  signal,
});

describe('OpenAiCompatibleProvider', () => {
  it('streams text and assembles tool calls split across chunks', async () => {
    const model = await startScriptedModel(() => ({
      text: 'Checking the SLOs.',
      toolCalls: [
        {
          name: 'sre__get-slos',
          arguments: '{"entityRef":"component:default/cart-service"}',
        },
        { name: 'bi__list-dashboards', arguments: '{}' },
      ],
      usage: { prompt_tokens: 250, completion_tokens: 31 },
    }));
    try {
      const texts: string[] = [];
      const provider = new OpenAiCompatibleProvider({
        baseUrl: `${model.baseUrl}/`,
        model: 'gpt-test',
        apiKey: 'sk-test',
      });
      const response = await provider.chat({
        ...request(),
        onText: t => texts.push(t),
      });
      expect(response.text).toBe('Checking the SLOs.');
      expect(texts.join('')).toBe('Checking the SLOs.');
      expect(texts.length).toBeGreaterThan(1);
      expect(response.toolCalls).toEqual([
        {
          id: 'call_1_0',
          name: 'sre__get-slos',
          arguments: '{"entityRef":"component:default/cart-service"}',
        },
        { id: 'call_1_1', name: 'bi__list-dashboards', arguments: '{}' },
      ]);
      expect(response.usage).toEqual({ inputTokens: 250, outputTokens: 31 });
      const [sent] = model.requests;
      expect(sent.headers.authorization).toBe('Bearer sk-test');
      expect(sent.body).toMatchObject({
        model: 'gpt-test',
        max_tokens: 300,
        stream: true,
        tools: [
          {
            type: 'function',
            function: {
              name: 'sre__get-slos',
              description: 'SLOs',
              parameters: { type: 'object' },
            },
          },
        ],
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Is cart-service burning?' },
        ],
      });
    } finally {
      await model.close();
    }
  });

  it('reaches Azure OpenAI: the key in api-key, the api-version in the query', async () => {
    const model = await startScriptedModel(() => ({ text: 'ok' }));
    try {
      const provider = new OpenAiCompatibleProvider({
        baseUrl: model.baseUrl,
        model: 'deployment',
        apiKey: 'azure-key',
        apiKeyHeader: 'api-key',
        apiVersion: '2024-10-21',
      });
      await provider.chat(request());
      expect(model.requests[0].headers['api-key']).toBe('azure-key');
      expect(model.requests[0].headers.authorization).toBeUndefined();
    } finally {
      await model.close();
    }
  });

  it('says what failed, and stops when asked to', async () => {
    const model = await startScriptedModel((_req, i) =>
      i === 0
        ? { status: 401, body: '{"error":{"message":"bad key"}}' }
        : { hang: true },
    );
    try {
      const provider = new OpenAiCompatibleProvider({
        baseUrl: model.baseUrl,
        model: 'm',
      });
      await expect(provider.chat(request())).rejects.toThrow(
        'The model answered 401: {"error":{"message":"bad key"}}',
      );
      const stop = new AbortController();
      const pending = provider.chat(request(stop.signal));
      stop.abort();
      await expect(pending).rejects.toThrow();
    } finally {
      await model.close();
    }
  });
});
