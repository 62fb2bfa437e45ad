import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { ResponseError } from '@backstage/errors';
import {
  AnswerEvent,
  AssistantStatus,
  ConversationDetail,
  ConversationMessage,
  ProposedAction,
} from '@portal/plugin-assistant-common';
import { AssistantApi, assistantApiRef } from '../api';
import { AskPage } from './AskPage';

const CONFIGURED: AssistantStatus = {
  configured: true,
  provider: { name: 'openai', model: 'scripted' },
  mcpEndpoint: 'http://localhost:7007/api/mcp-actions/v1',
};

const conversation = {
  id: '11111111-1111-4111-8111-111111111111',
  title: 'Is cart-service burning its error budget?',
  createdAt: '2026-12-01T10:00:00.000Z',
  updatedAt: '2026-12-01T10:01:00.000Z',
};

const answer: ConversationMessage = {
  id: 'm2',
  role: 'assistant',
  content:
    'component:default/cart-service has spent its error budget: 12% over (availability, 99.9% over 28d).',
  createdAt: '2026-12-01T10:01:00.000Z',
  citations: [
    {
      entityRef: 'component:default/cart-service',
      url: '/catalog/default/component/cart-service',
    },
    {
      entityRef: 'group:default/team-checkout',
      url: '/catalog/default/group/team-checkout',
    },
  ],
  toolCalls: [
    {
      tool: 'sre.get-slos',
      input: { entityRef: 'component:default/cart-service' },
      ok: true,
    },
    {
      tool: 'secops.get-findings',
      input: { entityRef: 'component:default/cart-service' },
      ok: false,
      error: 'You may not see the findings of component:default/cart-service',
    },
  ],
  stoppedBecause: 'it took more than 8 steps',
};

const detail: ConversationDetail = {
  ...conversation,
  messages: [
    {
      id: 'm1',
      role: 'user',
      content: 'Is cart-service burning its error budget?',
      createdAt: '2026-12-01T10:00:00.000Z',
      citations: [],
      toolCalls: [],
    },
    answer,
  ],
};

function mockApi(overrides: Partial<AssistantApi> = {}): AssistantApi {
  return {
    getStatus: jest.fn().mockResolvedValue(CONFIGURED),
    listConversations: jest
      .fn()
      .mockResolvedValue({ items: [conversation], totalCount: 1 }),
    createConversation: jest.fn(),
    getConversation: jest.fn().mockResolvedValue(detail),
    deleteConversation: jest.fn().mockResolvedValue(undefined),
    decideProposal: jest.fn(),
    ask: jest.fn(),
    ...overrides,
  };
}

/** A conversation of the list, by its title. */
const listed = async (title: RegExp) =>
  within(
    await screen.findByRole('navigation', { name: 'Conversations' }),
  ).findByRole('button', { name: title });

const render = (api: AssistantApi) =>
  renderInTestApp(<AskPage />, { apis: [[assistantApiRef, api]] });

describe('AskPage', () => {
  it('shows a conversation’s answer with its citations and entity refs as links', async () => {
    const api = mockApi();
    await render(api);
    await userEvent.click(await listed(/^Is cart-service burning/));
    const shown = await screen.findByRole('article', { name: 'Answer' });
    expect(api.getConversation).toHaveBeenCalledWith(conversation.id);

    // The ref in the text and both citations link to the catalog pages.
    const links = within(shown).getAllByRole('link', {
      name: 'component:default/cart-service',
    });
    expect(links).toHaveLength(2);
    for (const link of links) {
      expect(link).toHaveAttribute(
        'href',
        '/catalog/default/component/cart-service',
      );
    }
    expect(
      within(shown).getByRole('link', { name: 'group:default/team-checkout' }),
    ).toHaveAttribute('href', '/catalog/default/group/team-checkout');
    expect(
      within(shown).getByText(
        /Stopped early because it took more than 8 steps/,
      ),
    ).toBeInTheDocument();

    // How it was found: folded away, then the calls with their inputs.
    const how = within(shown).getByRole('button', {
      name: /How I found this \(2 steps\)/,
    });
    expect(how).toHaveAttribute('aria-expanded', 'false');
    await userEvent.click(how);
    expect(how).toHaveAttribute('aria-expanded', 'true');
    const calls = within(shown).getByRole('list', { name: 'Tool calls' });
    expect(within(calls).getByText('sre.get-slos')).toBeVisible();
    expect(
      within(calls).getAllByText(
        '{"entityRef":"component:default/cart-service"}',
      ),
    ).toHaveLength(2);
    expect(
      within(calls).getByText(
        'Failed: You may not see the findings of component:default/cart-service',
      ),
    ).toBeInTheDocument();
  });

  it('streams an answer: the steps as they run, the text as it comes, then the cited answer', async () => {
    let send: (event: AnswerEvent) => void = () => {};
    let finish: (message: ConversationMessage) => void = () => {};
    const api = mockApi({
      ask: jest.fn(
        (_id, _content, onEvent) =>
          new Promise<ConversationMessage>(resolve => {
            send = onEvent;
            finish = resolve;
          }),
      ),
    });
    await render(api);
    await userEvent.click(await listed(/^Is cart-service burning/));
    await screen.findByRole('article', { name: 'Answer' });

    const input = screen.getByLabelText('Your question');
    await userEvent.type(input, 'And payments-api?{Enter}');
    expect(api.ask).toHaveBeenCalledWith(
      conversation.id,
      'And payments-api?',
      expect.any(Function),
      expect.any(AbortSignal),
    );
    const live = await screen.findByRole('article', {
      name: 'Answer in progress',
    });
    expect(within(live).getByRole('progressbar')).toBeInTheDocument();
    expect(input).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Ask' })).toBeDisabled();

    act(() =>
      send({
        type: 'tool',
        tool: 'sre.get-slos',
        input: { entityRef: 'component:default/payments-api' },
      }),
    );
    expect(within(live).getByText(/Looking up/)).toHaveTextContent(
      'Looking up sre.get-slos…',
    );
    act(() => send({ type: 'tool-result', tool: 'sre.get-slos', ok: true }));
    expect(within(live).queryByText(/Looking up/)).not.toBeInTheDocument();
    expect(within(live).getByText(/Looked up/)).toHaveTextContent(
      '✓ Looked up sre.get-slos',
    );
    act(() =>
      send({
        type: 'tool',
        tool: 'secops.get-findings',
        input: { entityRef: 'component:default/payments-api' },
      }),
    );
    act(() =>
      send({
        type: 'tool-result',
        tool: 'secops.get-findings',
        ok: false,
        error: 'You may not see it',
      }),
    );
    expect(within(live).getByText(/failed/)).toHaveTextContent(
      '✗ secops.get-findings failed: You may not see it',
    );
    act(() => send({ type: 'text', delta: 'component:default/payments-api ' }));
    act(() => send({ type: 'text', delta: 'is within budget.' }));
    expect(
      within(live).getByText(
        'component:default/payments-api is within budget.',
      ),
    ).toBeInTheDocument();

    const final: ConversationMessage = {
      id: 'm4',
      role: 'assistant',
      content: 'component:default/payments-api is within budget.',
      createdAt: '2026-12-01T10:05:00.000Z',
      citations: [
        {
          entityRef: 'component:default/payments-api',
          url: '/catalog/default/component/payments-api',
        },
      ],
      toolCalls: [
        {
          tool: 'sre.get-slos',
          input: { entityRef: 'component:default/payments-api' },
          ok: true,
        },
      ],
    };
    await act(async () => {
      send({ type: 'done', message: final });
      finish(final);
    });
    await waitFor(() =>
      expect(
        screen.queryByRole('article', { name: 'Answer in progress' }),
      ).not.toBeInTheDocument(),
    );
    expect(screen.queryByRole('progressbar')).not.toBeInTheDocument();
    const answers = screen.getAllByRole('article', { name: 'Answer' });
    expect(answers).toHaveLength(2);
    expect(
      within(answers[1]).getAllByRole('link', {
        name: 'component:default/payments-api',
      })[0],
    ).toHaveAttribute('href', '/catalog/default/component/payments-api');
    expect(
      screen.getAllByRole('article', { name: 'Question' })[1],
    ).toHaveTextContent('And payments-api?');
    expect(input).toBeEnabled();
    expect(input).toHaveValue('');
  });

  it('shows what the assistant proposes to do while it answers, and lets the person confirm it once it is complete', async () => {
    const proposal: ProposedAction = {
      id: 'p1',
      tool: 'secops.request-exemption',
      title: 'Request an exemption for a finding',
      input: {
        findingId: 'f-1',
        justification: 'Fixed with the next base image',
        expiresAt: '2027-01-31T00:00:00Z',
      },
      status: 'pending',
      createdAt: '2026-12-01T10:05:00.000Z',
    };
    let send: (event: AnswerEvent) => void = () => {};
    let finish: (message: ConversationMessage) => void = () => {};
    const api = mockApi({
      ask: jest.fn(
        (_id, _content, onEvent) =>
          new Promise<ConversationMessage>(resolve => {
            send = onEvent;
            finish = resolve;
          }),
      ),
      decideProposal: jest.fn().mockResolvedValue({
        ...proposal,
        status: 'done',
        output: { status: 'pending' },
        decidedAt: '2026-12-01T10:06:00.000Z',
      }),
    });
    await render(api);
    await userEvent.click(await listed(/^Is cart-service burning/));
    await screen.findByRole('article', { name: 'Answer' });
    await userEvent.type(
      screen.getByLabelText('Your question'),
      'Ask for an exemption of f-1{Enter}',
    );
    const live = await screen.findByRole('article', {
      name: 'Answer in progress',
    });
    act(() => send({ type: 'proposal', proposal }));
    // Shown exactly, but not to be decided before the answer is complete.
    const pending = within(live).getByRole('region', {
      name: 'Proposed: Request an exemption for a finding',
    });
    expect(within(pending).getByText('justification')).toBeInTheDocument();
    expect(
      within(pending).getByText('Fixed with the next base image'),
    ).toBeInTheDocument();
    expect(
      within(pending).getByRole('button', { name: 'Confirm' }),
    ).toBeDisabled();
    expect(
      within(pending).getByText(/confirm it once the answer is complete/),
    ).toBeInTheDocument();

    const final: ConversationMessage = {
      id: 'm5',
      role: 'assistant',
      content: 'I proposed the exemption; confirm it to send it.',
      createdAt: '2026-12-01T10:05:00.000Z',
      citations: [],
      toolCalls: [],
      proposals: [proposal],
    };
    await act(async () => {
      send({ type: 'done', message: final });
      finish(final);
    });
    const card = await screen.findByRole('region', {
      name: 'Proposed: Request an exemption for a finding',
    });
    const confirm = within(card).getByRole('button', { name: 'Confirm' });
    expect(confirm).toBeEnabled();
    await userEvent.click(confirm);
    expect(api.decideProposal).toHaveBeenCalledWith(
      conversation.id,
      'p1',
      'confirm',
    );
    expect(
      await within(card).findByText(/Done\. It answered/),
    ).toBeInTheDocument();
    expect(within(card).getByText('status')).toBeInTheDocument();
    expect(
      within(card).queryByRole('button', { name: 'Confirm' }),
    ).not.toBeInTheDocument();
  });

  it('says why a decision failed, and cancels without doing anything', async () => {
    const proposal: ProposedAction = {
      id: 'p2',
      tool: 'secops.request-exemption',
      title: 'Request an exemption for a finding',
      input: { findingId: 'f-2' },
      status: 'pending',
      createdAt: '2026-12-01T10:05:00.000Z',
    };
    const api = mockApi({
      getConversation: jest.fn().mockResolvedValue({
        ...detail,
        messages: [
          ...detail.messages,
          { ...answer, id: 'm6', proposals: [proposal] },
        ],
      }),
      decideProposal: jest
        .fn()
        .mockRejectedValueOnce(
          new Error('The proposal p2 was already decided (done)'),
        )
        .mockResolvedValueOnce({ ...proposal, status: 'cancelled' }),
    });
    await render(api);
    await userEvent.click(await listed(/^Is cart-service burning/));
    const card = await screen.findByRole('region', {
      name: 'Proposed: Request an exemption for a finding',
    });
    await userEvent.click(
      within(card).getByRole('button', { name: 'Confirm' }),
    );
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'The proposal could not be confirmed: The proposal p2 was already decided (done)',
    );
    await userEvent.click(within(card).getByRole('button', { name: 'Cancel' }));
    expect(api.decideProposal).toHaveBeenLastCalledWith(
      conversation.id,
      'p2',
      'cancel',
    );
    expect(
      await within(card).findByText('Cancelled: nothing was done.'),
    ).toBeInTheDocument();
  });

  it('says how to configure a model, and where MCP clients connect, when none is', async () => {
    const api = mockApi({
      getStatus: jest.fn().mockResolvedValue({
        configured: false,
        mcpEndpoint: 'http://localhost:7007/api/mcp-actions/v1',
      }),
      listConversations: jest
        .fn()
        .mockResolvedValue({ items: [], totalCount: 0 }),
    });
    await render(api);
    expect(
      await screen.findByText('No model is configured for the assistant yet'),
    ).toBeInTheDocument();
    expect(screen.getByText('assistant.openai')).toBeInTheDocument();
    expect(screen.getByText('assistant.anthropic')).toBeInTheDocument();
    expect(
      screen.getByText('http://localhost:7007/api/mcp-actions/v1'),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: 'Choosing a model' }),
    ).toHaveAttribute(
      'href',
      '/docs/default/component/acme-developer-portal/assistant/#choosing-a-model',
    );
    // Nothing to ask with: no input, no example questions.
    expect(screen.queryByLabelText('Your question')).not.toBeInTheDocument();
    expect(
      screen.queryByRole('button', {
        name: 'Is cart-service burning its error budget?',
      }),
    ).not.toBeInTheDocument();
  });

  it('offers example questions when there is no conversation yet, and asks one in a new conversation', async () => {
    const created = {
      ...conversation,
      id: '22222222-2222-4222-8222-222222222222',
      title: 'Which dashboards does the checkout system have?',
    };
    const api = mockApi({
      listConversations: jest
        .fn()
        .mockResolvedValue({ items: [], totalCount: 0 }),
      createConversation: jest.fn().mockResolvedValue(created),
      ask: jest.fn().mockResolvedValue({
        ...answer,
        content: 'system:default/checkout has one dashboard.',
        stoppedBecause: undefined,
      }),
    });
    await render(api);
    expect(
      await screen.findByText('No conversations yet: ask your first question'),
    ).toBeInTheDocument();
    await userEvent.click(
      screen.getByRole('button', {
        name: 'Which dashboards does the checkout system have?',
      }),
    );
    expect(api.createConversation).toHaveBeenCalledWith(
      'Which dashboards does the checkout system have?',
    );
    expect(
      await screen.findByRole('link', { name: 'system:default/checkout' }),
    ).toHaveAttribute('href', '/catalog/default/system/checkout');
    expect(api.ask).toHaveBeenCalledWith(
      created.id,
      'Which dashboards does the checkout system have?',
      expect.any(Function),
      expect.any(AbortSignal),
    );
    // The new conversation is listed and selected.
    const nav = screen.getByRole('navigation', { name: 'Conversations' });
    expect(
      within(nav).getByRole('button', {
        name: /^Which dashboards does the checkout system have\?/,
      }),
    ).toHaveAttribute('aria-current', 'true');
  });

  it('shows a refusal’s reason as an error and gives the question back', async () => {
    const body = JSON.stringify({
      error: {
        name: 'InputError',
        message: 'content is 4200 characters; the most is 4000',
      },
      response: { statusCode: 400 },
    });
    const refusal = await ResponseError.fromResponse({
      status: 400,
      statusText: 'Bad Request',
      url: 'http://localhost/api/assistant',
      headers: { get: () => 'application/json' },
      text: async () => body,
      json: async () => JSON.parse(body),
    } as unknown as Response);
    const api = mockApi({ ask: jest.fn().mockRejectedValue(refusal) });
    await render(api);
    await userEvent.click(await listed(/^Is cart-service burning/));
    await screen.findByRole('article', { name: 'Answer' });
    await userEvent.type(screen.getByLabelText('Your question'), 'A long one');
    await userEvent.click(screen.getByRole('button', { name: 'Ask' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'The assistant did not take the question: content is 4200 characters; the most is 4000',
    );
    expect(screen.getByLabelText('Your question')).toHaveValue('A long one');
    expect(screen.getAllByRole('article', { name: 'Answer' })).toHaveLength(1);
  });

  it('deletes a conversation after confirmation, and not without', async () => {
    const api = mockApi();
    await render(api);
    const remove = await screen.findByRole('button', {
      name: 'Delete “Is cart-service burning its error budget?”',
    });
    await userEvent.click(remove);
    let dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent('Delete this conversation?');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Cancel' }),
    );
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    expect(api.deleteConversation).not.toHaveBeenCalled();

    await userEvent.click(remove);
    dialog = await screen.findByRole('dialog');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Delete' }),
    );
    expect(api.deleteConversation).toHaveBeenCalledWith(conversation.id);
    await waitFor(() =>
      expect(
        screen.queryByRole('button', { name: /^Is cart-service burning/ }),
      ).not.toBeInTheDocument(),
    );
    expect(
      screen.getByText('No conversations yet: ask your first question'),
    ).toBeInTheDocument();
  });

  it('loads more conversations from the server', async () => {
    const second = {
      ...conversation,
      id: '33333333-3333-4333-8333-333333333333',
      title: 'What does payments-api cost?',
    };
    const api = mockApi({
      // The second page repeats the first's last (one was added since).
      listConversations: jest
        .fn()
        .mockImplementation(async ({ cursor }) =>
          cursor
            ? { items: [conversation, second], totalCount: 2 }
            : { items: [conversation], totalCount: 2, nextCursor: '1' },
        ),
    });
    await render(api);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Load more (1 of 2)' }),
    );
    expect(await listed(/^What does payments-api cost/)).toBeInTheDocument();
    expect(
      within(
        screen.getByRole('navigation', { name: 'Conversations' }),
      ).getAllByRole('button', { name: /^Is cart-service burning/ }),
    ).toHaveLength(1);
    expect(api.listConversations).toHaveBeenLastCalledWith({
      cursor: '1',
      limit: 20,
    });
    expect(
      screen.queryByRole('button', { name: /Load more/ }),
    ).not.toBeInTheDocument();
  });
});
