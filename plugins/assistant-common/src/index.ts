/**
 * Types of the assistant plugin, shared by the Ask page and the assistant
 * backend, and the assistant backend's generated client and models
 * (`DefaultApiClient`, from plugins/assistant-backend/src/schema/openapi.yaml).
 *
 * @packageDocumentation
 */
import type { ConversationMessage, ProposedAction } from './schema/openapi';

// What the assistant backend answers (AssistantStatus, Conversation,
// ConversationPage, ConversationDetail, ConversationMessage, Citation,
// ToolCallRecord) is the spec's, generated into ./schema/openapi. What is
// left here is what OpenAPI cannot say: the events of a streamed answer.
export * from './schema/openapi';
export type { Page } from '@portal/common';

/**
 * The events of an answer, sent as server-sent events (`event: <type>`,
 * `data: <json>`) while the assistant works: the body of the spec's
 * `AskQuestion` (a `text/event-stream`).
 */
export type AnswerEvent =
  | { type: 'tool'; tool: string; input: unknown }
  | { type: 'tool-result'; tool: string; ok: boolean; error?: string }
  | { type: 'proposal'; proposal: ProposedAction }
  | { type: 'text'; delta: string }
  | { type: 'done'; message: ConversationMessage }
  | { type: 'error'; message: string };
