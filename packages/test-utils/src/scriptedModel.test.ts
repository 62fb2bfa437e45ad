import net from 'node:net';
import {
  entityOfQuestion,
  portalScript,
  ScriptedRequest,
  startScriptedModel,
} from './scriptedModel';

const TOOLS = [
  'sre__get-slos',
  'sre__get-alerts',
  'bi__list-dashboards',
  'bi__get-product-economics',
  'secops__get-findings',
  'catalog__get-catalog-entity',
];

/** A request as the assistant sends it: the question, maybe tool results. */
function request(question: string, after?: Array<[string, string, string]>) {
  const messages: any[] = [
    { role: 'system', content: 'You are the assistant' },
    { role: 'user', content: question },
  ];
  if (after) {
    messages.push({
      role: 'assistant',
      content: null,
      tool_calls: after.map(([name, args], i) => ({
        id: `call_${i}`,
        type: 'function',
        function: { name, arguments: args },
      })),
    });
    after.forEach(([, , content], i) =>
      messages.push({ role: 'tool', tool_call_id: `call_${i}`, content }),
    );
  }
  const body = { messages };
  return {
    headers: {},
    body,
    lastMessage: messages[messages.length - 1],
    toolNames: TOOLS,
  } as ScriptedRequest;
}

describe('portalScript', () => {
  it('finds the entity a question names', () => {
    expect(entityOfQuestion('Is cart-service burning its budget?')).toBe(
      'component:default/cart-service',
    );
    expect(
      entityOfQuestion('What are the economics of the checkout system?'),
    ).toBe('system:default/checkout');
    expect(entityOfQuestion('And the storefront domain?')).toBe(
      'domain:default/storefront',
    );
    expect(entityOfQuestion('SLOs of team-checkout')).toBe(
      'group:default/team-checkout',
    );
    expect(entityOfQuestion('About Component:default/payments-api.')).toBe(
      'component:default/payments-api',
    );
    expect(entityOfQuestion('How are we doing?')).toBeUndefined();
  });

  it('calls the fitting tool offered, with the entity', () => {
    expect(
      portalScript(request('Is cart-service burning its error budget?')),
    ).toEqual({
      toolCalls: [
        {
          name: 'sre__get-slos',
          arguments: '{"entityRef":"component:default/cart-service"}',
        },
      ],
    });
    expect(
      portalScript(request('What are the economics of the checkout system?')),
    ).toEqual({
      toolCalls: [
        {
          name: 'bi__get-product-economics',
          arguments: '{"productRef":"system:default/checkout"}',
        },
      ],
    });
    expect(
      portalScript(
        request('What are the open security findings of payments-api?'),
      ),
    ).toEqual({
      toolCalls: [
        {
          name: 'secops__get-findings',
          arguments:
            '{"entityRef":"component:default/payments-api","status":"open"}',
        },
      ],
    });
    // A tool that is not offered is not called.
    const noCost = portalScript(request('What does payments-api cost?'));
    expect(
      portalScript({
        ...request('What does payments-api cost?'),
        toolNames: [...TOOLS, 'finops__get-product-cost', 'finops__get-cost'],
      }),
    ).toEqual({
      toolCalls: [
        {
          name: 'finops__get-cost',
          arguments: '{"entityRef":"component:default/payments-api"}',
        },
      ],
    });
    expect(noCost).toEqual({
      text: expect.stringMatching(
        /^I have no tool for that question about component:default\/payments-api\. I can look up: sre\.get-slos,/,
      ),
    });
    expect(portalScript(request('How are we doing?'))).toEqual({
      text: expect.stringContaining('Which service, product or team'),
    });
  });

  it('answers with the entity and the figures the tool returned', () => {
    const economics = {
      ref: 'system:default/checkout',
      currency: 'USD',
      months: ['2026-10', '2026-11', '2026-12'],
      cost: [1000, 1234.5, 80],
      metrics: [
        {
          name: 'orders',
          title: 'Orders',
          unit: 'order',
          values: [40000, 48000, null],
          unitCost: [0.025, 0.0257, null],
        },
      ],
      errors: [],
      demo: true,
    };
    const turn = portalScript(
      request('What are the economics of the checkout system?', [
        [
          'bi__get-product-economics',
          '{"productRef":"system:default/checkout"}',
          JSON.stringify(economics),
        ],
      ]),
    );
    expect(turn).toEqual({
      text: 'system:default/checkout cost 1,234.5 USD in 2026-11.\n- Orders: 48,000, 0.026 USD per order',
    });

    const slos = portalScript(
      request('Is cart-service burning its error budget?', [
        [
          'sre__get-slos',
          '{"entityRef":"component:default/cart-service"}',
          JSON.stringify({
            items: [
              {
                entityRef: 'component:default/cart-service',
                displayName: 'Availability',
                errorBudgetRemaining: -0.125,
                status: 'exhausted',
              },
            ],
            totalCount: 1,
          }),
        ],
      ]),
    );
    const cost = portalScript(
      request('What does payments-api cost?', [
        [
          'finops__get-cost',
          '{"entityRef":"component:default/payments-api"}',
          JSON.stringify({
            ref: 'component:default/payments-api',
            currency: 'USD',
            from: '2026-11-06',
            to: '2026-12-05',
            total: 4321.5,
            previousTotal: 3841.3,
            change: 480.2,
            changePercent: 12.5,
          }),
        ],
      ]),
    );
    expect(cost).toEqual({
      text: 'component:default/payments-api cost 4,321.5 USD from 2026-11-06 to 2026-12-05, up 12.5% on as many days before.',
    });

    expect(slos).toEqual({
      text: '- component:default/cart-service Availability: exhausted, error budget left -12.5%',
    });
  });

  it('says the person may not see it when the tool refused, quoting it', () => {
    const turn = portalScript(
      request('What are the economics of the checkout system?', [
        [
          'bi__get-product-economics',
          '{"productRef":"system:default/checkout"}',
          'Error: Product economics are for business, finance and the portal admins',
        ],
      ]),
    );
    expect(turn).toEqual({
      text: 'You may not see that: bi.get-product-economics refused it, saying “Product economics are for business, finance and the portal admins”',
    });
  });
});

describe('startScriptedModel', () => {
  it('listens on the port it is given', async () => {
    const port = await new Promise<number>(resolve => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(free));
      });
    });
    const model = await startScriptedModel(() => ({ text: 'Hello' }), {
      port,
    });
    try {
      expect(model.baseUrl).toBe(`http://127.0.0.1:${port}/v1`);
      const response = await fetch(`${model.baseUrl}/chat/completions`, {
        method: 'POST',
        body: JSON.stringify({ messages: [{ role: 'user', content: 'Hi' }] }),
      });
      expect(await response.text()).toContain('"content":"He');
      // The port is taken now: a second model there fails to start.
      await expect(
        startScriptedModel(() => ({ text: '' }), { port }),
      ).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await model.close();
    }
  });
});
