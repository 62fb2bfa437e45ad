import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { testDatabaseIds } from '@portal/test-utils';
import { ConversationStore } from './ConversationStore';

const databases = TestDatabases.create({ ids: testDatabaseIds() });

describe.each(databases.eachSupportedId())('ConversationStore on %p', id => {
  async function store() {
    const knex = await databases.init(id);
    let now = Date.parse('2026-12-06T10:00:00Z');
    return ConversationStore.create({
      database: mockServices.database({ knex }),
      now: () => new Date((now += 1000)),
    });
  }

  it('keeps conversations per person, messages in order, and deletes them whole', async () => {
    const conversations = await store();
    const mine = await conversations.create(
      'user:default/alice',
      "Alice's question",
    );
    const theirs = await conversations.create('user:default/bob', 'Bob');
    await conversations.addMessage('user:default/alice', mine.id, {
      role: 'user',
      content: 'Is cart-service burning?',
      citations: [],
      toolCalls: [],
    });
    await conversations.addMessage('user:default/alice', mine.id, {
      role: 'assistant',
      content: "It's fine.",
      citations: [
        {
          entityRef: 'component:default/cart-service',
          url: '/catalog/default/component/cart-service',
        },
      ],
      toolCalls: [{ tool: 'sre.get-slos', input: { a: 1 }, ok: true }],
      stoppedBecause: 'it took more than 8 steps',
    });

    const detail = await conversations.get('user:default/alice', mine.id);
    expect(detail?.title).toBe("Alice's question");
    expect(detail?.messages.map(m => [m.role, m.content])).toEqual([
      ['user', 'Is cart-service burning?'],
      ['assistant', "It's fine."],
    ]);
    expect(detail?.messages[1]).toMatchObject({
      citations: [{ entityRef: 'component:default/cart-service' }],
      toolCalls: [{ tool: 'sre.get-slos', ok: true }],
      stoppedBecause: 'it took more than 8 steps',
    });
    // One person's conversation is not another's.
    expect(
      await conversations.get('user:default/bob', mine.id),
    ).toBeUndefined();
    await expect(
      conversations.addMessage('user:default/bob', mine.id, {
        role: 'user',
        content: 'x',
        citations: [],
        toolCalls: [],
      }),
    ).rejects.toThrow(/No conversation/);
    expect(await conversations.delete('user:default/bob', mine.id)).toBe(false);

    const list = await conversations.list('user:default/alice', { limit: 10 });
    expect(list).toEqual({
      items: [expect.objectContaining({ id: mine.id })],
      totalCount: 1,
    });
    expect(await conversations.delete('user:default/alice', mine.id)).toBe(
      true,
    );
    expect(
      await conversations.get('user:default/alice', mine.id),
    ).toBeUndefined();
    expect(
      (await conversations.list('user:default/bob', { limit: 10 })).items,
    ).toEqual([expect.objectContaining({ id: theirs.id })]);
  }, 120_000);

  it('keeps proposed actions with their answer, decided once, by their person', async () => {
    const conversations = await store();
    const alice = 'user:default/alice';
    const mine = await conversations.create(alice, 'Reviews');
    const proposal = (n: number) => ({
      id: `00000000-0000-4000-8000-00000000000${n}`,
      actionId: 'fake:request-review',
      tool: 'fake.request-review',
      title: 'Request a review',
      input: { name: `service-${n}` },
    });
    const answer = await conversations.addMessage(alice, mine.id, {
      role: 'assistant',
      content: 'Confirm the reviews.',
      citations: [],
      toolCalls: [],
      proposals: [proposal(1), proposal(2), proposal(3)],
    });
    expect(answer.proposals?.map(p => p.status)).toEqual([
      'pending',
      'pending',
      'pending',
    ]);
    expect(answer.proposals?.[0]).not.toHaveProperty('actionId');

    const [one, two, three] = answer.proposals!.map(p => p.id);
    await expect(
      conversations.decideProposal('user:default/bob', mine.id, one, 'confirm'),
    ).rejects.toThrow(/no proposal/);
    const running = await conversations.decideProposal(
      alice,
      mine.id,
      one,
      'confirm',
    );
    expect(running).toMatchObject({
      status: 'running',
      actionId: 'fake:request-review',
    });
    await expect(
      conversations.decideProposal(alice, mine.id, one, 'cancel'),
    ).rejects.toThrow(/already decided \(running\)/);
    expect(
      await conversations.finishProposal(one, { output: { ok: 1 } }),
    ).toMatchObject({ status: 'done', output: { ok: 1 } });
    await conversations.decideProposal(alice, mine.id, two, 'confirm');
    await conversations.finishProposal(two, { error: 'refused' });
    await conversations.decideProposal(alice, mine.id, three, 'cancel');

    const detail = await conversations.get(alice, mine.id);
    expect(
      detail?.messages[0].proposals?.map(p => [p.status, p.error ?? null]),
    ).toEqual([
      ['done', null],
      ['failed', 'refused'],
      ['cancelled', null],
    ]);
    expect(await conversations.delete(alice, mine.id)).toBe(true);
    await expect(
      conversations.decideProposal(alice, mine.id, one, 'confirm'),
    ).rejects.toThrow(/no proposal/);
  }, 120_000);
});
