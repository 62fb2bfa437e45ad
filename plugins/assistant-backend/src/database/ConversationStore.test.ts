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
});
