/**
 * The model-provider extension point of the assistant backend: a module
 * adds an LLM provider (OpenAI-compatible chat completions, Anthropic's
 * Messages API, ...) that the assistant's tool-calling loop talks to.
 *
 * @packageDocumentation
 */
import { createExtensionPoint } from '@backstage/backend-plugin-api';

export * from './sse';

/** A tool the model may call: the portal's read-only actions. */
export interface ToolSpec {
  /** Letters, digits, `_` and `-` only (`sre__get-slos`), as providers require. */
  name: string;
  description: string;
  /** JSON Schema of the arguments. */
  parameters: object;
}

/** A call of a tool the model asked for. */
export interface ToolCall {
  id: string;
  name: string;
  /** The arguments as the model wrote them: JSON text, perhaps malformed. */
  arguments: string;
}

/** A message of the conversation the model is given. */
export type ChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string; toolCalls?: ToolCall[] }
  | { role: 'tool'; toolCallId: string; name: string; content: string };

/** One turn: the conversation so far, and what the model may call. */
export interface ChatRequest {
  messages: ChatMessage[];
  tools: ToolSpec[];
  /** The most the model may write in this turn. */
  maxOutputTokens: number;
  /** Aborted when the answer's time is up or the person goes away. */
  signal: AbortSignal;
  /** Text as the model writes it, for the page to show while it works. */
  onText?(delta: string): void;
}

/** What the model answered in one turn. */
export interface ChatResponse {
  text: string;
  toolCalls: ToolCall[];
  usage?: { inputTokens: number; outputTokens: number };
}

/** A language model the assistant can use. */
export interface LlmProvider {
  /** What it is, for the status and the audit log (`openai-compatible`). */
  name: string;
  model: string;
  chat(request: ChatRequest): Promise<ChatResponse>;
}

/** Where modules add providers; the assistant uses the first one added. */
export interface AssistantProvidersExtensionPoint {
  addProvider(provider: LlmProvider): void;
}

export const assistantProvidersExtensionPoint =
  createExtensionPoint<AssistantProvidersExtensionPoint>({
    id: 'assistant.providers',
  });
