/**
 * Types of the assistant plugin, shared by the Ask page and the assistant
 * backend.
 *
 * @packageDocumentation
 */
export type { Page } from '@portal/common';

/** One conversation of one person with the assistant. */
export interface Conversation {
  id: string;
  title: string;
  createdAt: string;
  updatedAt: string;
}

/** Something the answer used: an entity, or a figure a tool gave. */
export interface Citation {
  /** The entity's ref (`component:default/cart-service`). */
  entityRef: string;
  /** Where the portal shows it (`/catalog/default/component/cart-service`). */
  url: string;
}

/** A tool the assistant called to answer, and how it went. */
export interface ToolCallRecord {
  /** The tool (`sre.get-slos`). */
  tool: string;
  /** The arguments it was called with. */
  input: unknown;
  ok: boolean;
  /** Why it failed, when it did. */
  error?: string;
}

/** A message of a conversation, as the Ask page shows it. */
export interface ConversationMessage {
  id: string;
  role: 'user' | 'assistant';
  content: string;
  createdAt: string;
  citations: Citation[];
  toolCalls: ToolCallRecord[];
  /** Why the answer stopped early (steps, tokens, time), if it did. */
  stoppedBecause?: string;
}

/** A conversation with its messages, oldest first. */
export interface ConversationDetail extends Conversation {
  messages: ConversationMessage[];
}

/** Whether a model is configured, and where MCP clients connect. */
export interface AssistantStatus {
  configured: boolean;
  provider?: { name: string; model: string };
  /** The MCP endpoint, which serves the same tools without a model here. */
  mcpEndpoint: string;
}

/**
 * The events of an answer, sent as server-sent events (`event: <type>`,
 * `data: <json>`) while the assistant works.
 */
export type AnswerEvent =
  | { type: 'tool'; tool: string; input: unknown }
  | { type: 'tool-result'; tool: string; ok: boolean; error?: string }
  | { type: 'text'; delta: string }
  | { type: 'done'; message: ConversationMessage }
  | { type: 'error'; message: string };
