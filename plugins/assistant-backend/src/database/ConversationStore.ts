import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import {
  Conversation,
  ConversationDetail,
  ConversationMessage,
  Page,
} from '@portal/plugin-assistant-common';
import { Knex } from 'knex';
import { randomUUID } from 'node:crypto';

const migrationsDir = resolvePackagePath(
  '@portal/plugin-assistant-backend',
  'migrations',
);

const CONVERSATIONS = 'assistant_conversations';
const MESSAGES = 'assistant_messages';

/** A message to add: what the page shows, without the id and time. */
export type NewMessage = Omit<ConversationMessage, 'id' | 'createdAt'>;

const conversationOf = (row: any): Conversation => ({
  id: row.id,
  title: row.title,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const messageOf = (row: any): ConversationMessage => ({
  id: row.id,
  role: row.role,
  content: row.content,
  createdAt: row.created_at,
  citations: JSON.parse(row.citations),
  toolCalls: JSON.parse(row.tool_calls),
  ...(row.stopped_because ? { stoppedBecause: row.stopped_because } : {}),
});

/**
 * Conversations and their messages. Every read and write names the user:
 * one person's conversations are never another's, whatever id is asked for.
 */
export class ConversationStore {
  private constructor(
    private readonly db: Knex,
    private readonly now: () => Date,
  ) {}

  static async create(options: {
    database: DatabaseService;
    now?: () => Date;
  }): Promise<ConversationStore> {
    const db = await options.database.getClient();
    if (!options.database.migrations?.skip) {
      await db.migrate.latest({ directory: migrationsDir });
    }
    return new ConversationStore(db, options.now ?? (() => new Date()));
  }

  async create(userRef: string, title: string): Promise<Conversation> {
    const at = this.now().toISOString();
    const row = {
      id: randomUUID(),
      user_ref: userRef,
      title: title.slice(0, 200),
      created_at: at,
      updated_at: at,
    };
    await this.db(CONVERSATIONS).insert(row);
    return conversationOf(row);
  }

  /** The user's conversations, most recently active first. */
  async list(
    userRef: string,
    options: { cursor?: string; limit: number },
  ): Promise<Page<Conversation>> {
    const offset = Number(options.cursor ?? 0);
    const [{ count }] = await this.db(CONVERSATIONS)
      .where({ user_ref: userRef })
      .count({ count: '*' });
    const rows = await this.db(CONVERSATIONS)
      .where({ user_ref: userRef })
      .orderBy('updated_at', 'desc')
      .orderBy('id')
      .offset(offset)
      .limit(options.limit);
    const total = Number(count);
    return {
      items: rows.map(conversationOf),
      totalCount: total,
      nextCursor:
        offset + rows.length < total ? String(offset + rows.length) : undefined,
    };
  }

  /** A conversation of the user's, or undefined (also when it is someone else's). */
  async get(
    userRef: string,
    id: string,
  ): Promise<ConversationDetail | undefined> {
    const row = await this.db(CONVERSATIONS)
      .where({ id, user_ref: userRef })
      .first();
    if (!row) return undefined;
    const messages = await this.db(MESSAGES)
      .where({ conversation_id: id })
      .orderBy('seq');
    return { ...conversationOf(row), messages: messages.map(messageOf) };
  }

  /** Adds a message at the end of a conversation of the user's. */
  async addMessage(
    userRef: string,
    conversationId: string,
    message: NewMessage,
  ): Promise<ConversationMessage> {
    return this.db.transaction(async tx => {
      const at = this.now().toISOString();
      const updated = await tx(CONVERSATIONS)
        .where({ id: conversationId, user_ref: userRef })
        .update({ updated_at: at });
      if (!updated) {
        throw new Error(`No conversation ${conversationId} of ${userRef}`);
      }
      const [{ last }] = await tx(MESSAGES)
        .where({ conversation_id: conversationId })
        .max({ last: 'seq' });
      const row = {
        id: randomUUID(),
        conversation_id: conversationId,
        seq: Number(last ?? 0) + 1,
        role: message.role,
        content: message.content,
        citations: JSON.stringify(message.citations),
        tool_calls: JSON.stringify(message.toolCalls),
        stopped_because: message.stoppedBecause ?? null,
        created_at: at,
      };
      await tx(MESSAGES).insert(row);
      return messageOf(row);
    });
  }

  /** Deletes a conversation of the user's and its messages; whether there was one. */
  async delete(userRef: string, id: string): Promise<boolean> {
    return this.db.transaction(async tx => {
      const row = await tx(CONVERSATIONS)
        .where({ id, user_ref: userRef })
        .first();
      if (!row) return false;
      // Messages first: SQLite enforces the foreign key only when asked to.
      await tx(MESSAGES).where({ conversation_id: id }).delete();
      await tx(CONVERSATIONS).where({ id }).delete();
      return true;
    });
  }
}
