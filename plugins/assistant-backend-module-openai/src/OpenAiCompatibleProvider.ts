/*
 * A model behind the OpenAI chat completions API with tools, streamed:
 * OpenAI, Azure OpenAI, vLLM, Ollama, llama.cpp's server, LiteLLM and the
 * other servers that speak it.
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

/** Where the model is and how to reach it (assistant.openai). */
export interface OpenAiCompatibleOptions {
  /** The API's base URL, up to /v1 (e.g. https://api.openai.com/v1). */
  baseUrl: string;
  model: string;
  /** Sent as a bearer token, or in `apiKeyHeader` (Azure: api-key). */
  apiKey?: string;
  apiKeyHeader?: string;
  /** Azure OpenAI's api-version query parameter. */
  apiVersion?: string;
  /** Seconds to wait for the first byte of an answer (default 60). */
  timeoutSeconds?: number;
  fetch?: typeof fetch;
}

function toWire(message: ChatMessage): object {
  switch (message.role) {
    case 'assistant':
      return {
        role: 'assistant',
        content: message.content || null,
        ...(message.toolCalls?.length
          ? {
              tool_calls: message.toolCalls.map(call => ({
                id: call.id,
                type: 'function',
                function: { name: call.name, arguments: call.arguments },
              })),
            }
          : {}),
      };
    case 'tool':
      return {
        role: 'tool',
        tool_call_id: message.toolCallId,
        content: message.content,
      };
    default:
      return { role: message.role, content: message.content };
  }
}

export class OpenAiCompatibleProvider implements LlmProvider {
  readonly name = 'openai-compatible';
  readonly model: string;

  constructor(private readonly options: OpenAiCompatibleOptions) {
    this.model = options.model;
  }

  async chat(request: ChatRequest): Promise<ChatResponse> {
    const { options } = this;
    const url = new URL(
      `${options.baseUrl.replace(/\/+$/, '')}/chat/completions`,
    );
    if (options.apiVersion) {
      url.searchParams.set('api-version', options.apiVersion);
    }
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'text/event-stream',
    };
    if (options.apiKey) {
      const header = options.apiKeyHeader ?? 'authorization';
      headers[header] =
        header.toLowerCase() === 'authorization'
          ? `Bearer ${options.apiKey}`
          : options.apiKey;
    }
    const firstByte = AbortSignal.timeout(
      (options.timeoutSeconds ?? 60) * 1000,
    );
    const response = await (options.fetch ?? fetch)(url, {
      method: 'POST',
      headers,
      signal: AbortSignal.any([request.signal, firstByte]),
      body: JSON.stringify({
        model: this.model,
        messages: request.messages.map(toWire),
        ...(request.tools.length
          ? {
              tools: request.tools.map(tool => ({
                type: 'function',
                function: {
                  name: tool.name,
                  description: tool.description,
                  parameters: tool.parameters,
                },
              })),
            }
          : {}),
        max_tokens: request.maxOutputTokens,
        stream: true,
        stream_options: { include_usage: true },
      }),
    });
    let text = '';
    const calls = new Map<number, ToolCall>();
    let usage: ChatResponse['usage'];
    for await (const { data: chunk } of modelEvents(response)) {
      if (chunk.error) {
        throw new ServiceUnavailableError(
          `The model failed: ${String(chunk.error.message ?? chunk.error).slice(
            0,
            300,
          )}`,
        );
      }
      if (chunk.usage) {
        usage = {
          inputTokens: Number(chunk.usage.prompt_tokens) || 0,
          outputTokens: Number(chunk.usage.completion_tokens) || 0,
        };
      }
      const delta = chunk.choices?.[0]?.delta;
      if (!delta) continue;
      if (typeof delta.content === 'string' && delta.content) {
        text += delta.content;
        request.onText?.(delta.content);
      }
      for (const part of Array.isArray(delta.tool_calls)
        ? delta.tool_calls
        : []) {
        const index = Number(part.index ?? 0);
        const call = calls.get(index) ?? { id: '', name: '', arguments: '' };
        if (part.id) call.id = String(part.id);
        if (part.function?.name) call.name += String(part.function.name);
        if (part.function?.arguments) {
          call.arguments += String(part.function.arguments);
        }
        calls.set(index, call);
      }
    }
    return {
      text,
      toolCalls: [...calls.entries()]
        .sort(([a], [b]) => a - b)
        .map(([index, call]) => ({
          ...call,
          id: call.id || `call_${index}`,
        })),
      usage,
    };
  }
}
