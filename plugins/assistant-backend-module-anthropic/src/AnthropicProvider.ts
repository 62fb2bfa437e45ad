/*
 * A Claude model through Anthropic's Messages API with tools, streamed.
 * The conversation's system message becomes the request's `system`, tool
 * calls are `tool_use` blocks and their results `tool_result` blocks of
 * the next user turn.
 */
import { ServiceUnavailableError } from '@backstage/errors';
import {
  ChatMessage,
  ChatRequest,
  ChatResponse,
  LlmProvider,
  modelEvents,
  ToolCall,
} from '@portal/plugin-assistant-node';

/** Where the model is and how to reach it (assistant.anthropic). */
export interface AnthropicOptions {
  apiKey: string;
  model: string;
  /** Default https://api.anthropic.com */
  baseUrl?: string;
  /** Seconds to wait for an answer to start (default 60). */
  timeoutSeconds?: number;
  fetch?: typeof fetch;
}

type Block =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown }
  | { type: 'tool_result'; tool_use_id: string; content: string };

/** The conversation as the Messages API takes it: system apart, turns alternating. */
export function toAnthropic(messages: ChatMessage[]) {
  const system = messages
    .filter(m => m.role === 'system')
    .map(m => m.content)
    .join('\n\n');
  const turns: Array<{ role: 'user' | 'assistant'; content: Block[] }> = [];
  const push = (role: 'user' | 'assistant', blocks: Block[]) => {
    const last = turns[turns.length - 1];
    if (last && last.role === role) last.content.push(...blocks);
    else turns.push({ role, content: blocks });
  };
  for (const message of messages) {
    if (message.role === 'system') continue;
    if (message.role === 'tool') {
      push('user', [
        {
          type: 'tool_result',
          tool_use_id: message.toolCallId,
          content: message.content,
        },
      ]);
    } else if (message.role === 'assistant') {
      const blocks: Block[] = message.content
        ? [{ type: 'text', text: message.content }]
        : [];
      for (const call of message.toolCalls ?? []) {
        let input: unknown = {};
        try {
          input = JSON.parse(call.arguments || '{}');
        } catch {
          input = { unreadable: call.arguments.slice(0, 200) };
        }
        blocks.push({ type: 'tool_use', id: call.id, name: call.name, input });
      }
      if (blocks.length) push('assistant', blocks);
    } else {
      push('user', [{ type: 'text', text: message.content }]);
    }
  }
  return { system, messages: turns };
}

export class AnthropicProvider implements LlmProvider {
  readonly name = 'anthropic';
  readonly model: string;

  constructor(private readonly options: AnthropicOptions) {
    this.model = options.model;
  }

  async chat(request: ChatRequest): Promise<ChatResponse> {
    const { options } = this;
    const { system, messages } = toAnthropic(request.messages);
    const response = await (options.fetch ?? fetch)(
      `${(options.baseUrl ?? 'https://api.anthropic.com').replace(
        /\/+$/,
        '',
      )}/v1/messages`,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'text/event-stream',
          'x-api-key': options.apiKey,
          'anthropic-version': '2023-06-01',
        },
        signal: AbortSignal.any([
          request.signal,
          AbortSignal.timeout((options.timeoutSeconds ?? 60) * 1000),
        ]),
        body: JSON.stringify({
          model: this.model,
          max_tokens: request.maxOutputTokens,
          system,
          messages,
          ...(request.tools.length
            ? {
                tools: request.tools.map(tool => ({
                  name: tool.name,
                  description: tool.description,
                  input_schema: tool.parameters,
                })),
              }
            : {}),
          stream: true,
        }),
      },
    );
    let text = '';
    const blocks = new Map<number, ToolCall>();
    let inputTokens = 0;
    let outputTokens = 0;
    for await (const { data } of modelEvents(response)) {
      switch (data.type) {
        case 'message_start':
          inputTokens = Number(data.message?.usage?.input_tokens) || 0;
          break;
        case 'content_block_start':
          if (data.content_block?.type === 'tool_use') {
            blocks.set(Number(data.index), {
              id: String(data.content_block.id ?? ''),
              name: String(data.content_block.name ?? ''),
              arguments: '',
            });
          }
          break;
        case 'content_block_delta': {
          const delta = data.delta ?? {};
          if (delta.type === 'text_delta' && typeof delta.text === 'string') {
            text += delta.text;
            request.onText?.(delta.text);
          } else if (delta.type === 'input_json_delta') {
            const call = blocks.get(Number(data.index));
            if (call) call.arguments += String(delta.partial_json ?? '');
          }
          break;
        }
        case 'message_delta':
          outputTokens = Number(data.usage?.output_tokens) || outputTokens;
          break;
        case 'error':
          throw new ServiceUnavailableError(
            `The model failed: ${String(
              data.error?.message ?? 'unknown error',
            ).slice(0, 300)}`,
          );
        default:
          break;
      }
    }
    return {
      text,
      toolCalls: [...blocks.entries()]
        .sort(([a], [b]) => a - b)
        .map(([index, call]) => ({
          ...call,
          id: call.id || `toolu_${index}`,
          arguments: call.arguments || '{}',
        })),
      usage: { inputTokens, outputTokens },
    };
  }
}
