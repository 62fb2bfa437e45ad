import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { ConflictError, NotFoundError } from '@backstage/errors';
import {
  Conversation,
  ConversationDetail,
  ConversationMessage,
  Page,
  ProposedAction,
} from '@portal/plugin-assistant-common';
import { Knex } from 'knex';
import { randomUUID } from 'node:crypto';

const migrationsDir = resolvePackagePath(
  '@portal/plugin-assistant-backend',
  'migrations',
);

const CONVERSATIONS = 'assistant_conversations';
const MESSAGES = 'assistant_messages';
const PROPOSALS = 'assistant_proposals';

/** An action the answer proposes: what the page shows, and the action's id. */
export interface NewProposal {
  id: string;
  actionId: string;
  tool: string;
  title: string;
  input: unknown;
}

/** A message to add: what the page shows, without the id and time. */
export type NewMessage = Omit<
  ConversationMessage,
  'id' | 'createdAt' | 'proposals'
> & { proposals?: NewProposal[] };

/** A proposal being decided, with the action it runs. */
export type DecidedProposal = ProposedAction & { actionId: string };

const proposalOf = (row: any): DecidedProposal => ({
  id: row.id,
  actionId: row.action_id,
  tool: row.tool,
  title: row.title,
  input: JSON.parse(row.input),
  status: row.status,
  ...(row.output !== null && row.output !== undefined
    ? { output: JSON.parse(row.output) }
    : {}),
  ...(row.error ? { error: row.error } : {}),
  createdAt: row.created_at,
  ...(row.decided_at ? { decidedAt: row.decided_at } : {}),
});

/** A proposal as the page sees it (without the action's id). */
const publicProposal = ({ actionId, ...proposal }: DecidedProposal) =>
  proposal as ProposedAction;

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
    const proposals = await this.db(PROPOSALS)
      .where({ conversation_id: id })
      .orderBy('created_at')
      .orderBy('id');
    const byMessage = new Map<string, ProposedAction[]>();
    for (const proposal of proposals) {
      const list = byMessage.get(proposal.message_id) ?? [];
      list.push(publicProposal(proposalOf(proposal)));
      byMessage.set(proposal.message_id, list);
    }
    return {
      ...conversationOf(row),
      messages: messages.map(m => {
        const message = messageOf(m);
        const proposed = byMessage.get(message.id);
        return proposed ? { ...message, proposals: proposed } : message;
      }),
    };
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
      const proposals = (message.proposals ?? []).map(p => ({
        id: p.id,
        conversation_id: conversationId,
        message_id: row.id,
        user_ref: userRef,
        action_id: p.actionId,
        tool: p.tool,
        title: p.title,
        input: JSON.stringify(p.input ?? null),
        status: 'pending',
        output: null,
        error: null,
        created_at: at,
        decided_at: null,
      }));
      if (proposals.length) await tx(PROPOSALS).insert(proposals);
      const stored = messageOf(row);
      return proposals.length
        ? {
            ...stored,
            proposals: proposals.map(p => publicProposal(proposalOf(p))),
          }
        : stored;
    });
  }

  /**
   * Takes the person's decision on a pending proposal of theirs, once:
   * `confirm` marks it running (the caller then runs the action and
   * finishes it), `cancel` marks it cancelled. NotFoundError when there is
   * no such proposal in a conversation of theirs, ConflictError when it
   * was already decided.
   */
  async decideProposal(
    userRef: string,
    conversationId: string,
    proposalId: string,
    decision: 'confirm' | 'cancel',
  ): Promise<DecidedProposal> {
    return this.db.transaction(async tx => {
      const where = {
        id: proposalId,
        conversation_id: conversationId,
        user_ref: userRef,
      };
      const updated = await tx(PROPOSALS)
        .where({ ...where, status: 'pending' })
        .update({
          status: decision === 'confirm' ? 'running' : 'cancelled',
          decided_at: this.now().toISOString(),
        });
      const row = await tx(PROPOSALS).where(where).first();
      if (!row) {
        throw new NotFoundError(
          `There is no proposal ${proposalId} in a conversation of yours`,
        );
      }
      if (!updated) {
        throw new ConflictError(
          `The proposal ${proposalId} was already decided (${row.status})`,
        );
      }
      return proposalOf(row);
    });
  }

  /** Records how a confirmed proposal's action went. */
  async finishProposal(
    proposalId: string,
    outcome: { output: unknown } | { error: string },
  ): Promise<ProposedAction> {
    await this.db(PROPOSALS)
      .where({ id: proposalId, status: 'running' })
      .update(
        'error' in outcome
          ? { status: 'failed', error: outcome.error.slice(0, 2000) }
          : { status: 'done', output: JSON.stringify(outcome.output ?? null) },
      );
    return publicProposal(
      proposalOf(await this.db(PROPOSALS).where({ id: proposalId }).first()),
    );
  }

  /** Deletes a conversation of the user's and its messages; whether there was one. */
  async delete(userRef: string, id: string): Promise<boolean> {
    return this.db.transaction(async tx => {
      const row = await tx(CONVERSATIONS)
        .where({ id, user_ref: userRef })
        .first();
      if (!row) return false;
      // Proposals and messages first: SQLite enforces the foreign key only
      // when asked to.
      await tx(PROPOSALS).where({ conversation_id: id }).delete();
      await tx(MESSAGES).where({ conversation_id: id }).delete();
      await tx(CONVERSATIONS).where({ id }).delete();
      return true;
    });
  }
}
