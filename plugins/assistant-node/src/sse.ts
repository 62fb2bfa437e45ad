/*
 * Server-sent events as model providers stream them (OpenAI's chat
 * completions and Anthropic's Messages API both do), read from a fetch
 * response's body with a bound on its size: a provider that never stops
 * talking is cut off, not buffered without end.
 */
import { ServiceUnavailableError } from '@backstage/errors';

/** One event: its type (`message` when none is named) and its data. */
export interface ServerSentEvent {
  event: string;
  data: string;
}

/**
 * The events of a stream, in order. Throws a ServiceUnavailableError past
 * `maxBytes` (default 8 MiB).
 */
export async function* readServerSentEvents(
  body: AsyncIterable<Uint8Array>,
  maxBytes = 8 * 1024 * 1024,
): AsyncGenerator<ServerSentEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  let total = 0;
  let event = 'message';
  let data: string[] = [];

  function* lines(final: boolean): Generator<ServerSentEvent> {
    for (;;) {
      const end = buffer.search(/\r\n|\r|\n/);
      if (end < 0) {
        if (!final || !buffer) return;
      }
      const line = end < 0 ? buffer : buffer.slice(0, end);
      buffer =
        end < 0
          ? ''
          : buffer.slice(end + (buffer.startsWith('\r\n', end) ? 2 : 1));
      if (line === '') {
        if (data.length) yield { event, data: data.join('\n') };
        event = 'message';
        data = [];
      } else if (!line.startsWith(':')) {
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        let value = colon < 0 ? '' : line.slice(colon + 1);
        if (value.startsWith(' ')) value = value.slice(1);
        if (field === 'event') event = value;
        else if (field === 'data') data.push(value);
      }
      if (end < 0) return;
    }
  }

  for await (const chunk of body) {
    total += chunk.byteLength;
    if (total > maxBytes) {
      throw new ServiceUnavailableError(
        `The model's answer went past ${maxBytes} bytes and was cut off`,
      );
    }
    buffer += decoder.decode(chunk, { stream: true });
    yield* lines(false);
  }
  buffer += decoder.decode();
  yield* lines(true);
  if (data.length) yield { event, data: data.join('\n') };
}

/**
 * The events of a model's streamed answer, their data parsed as JSON, up to
 * OpenAI's `[DONE]`. An answer that failed (not 2xx) or that is not JSON
 * is a ServiceUnavailableError that says what the model sent.
 */
export async function* modelEvents(
  response: Response,
): AsyncGenerator<{ event: string; data: any }> {
  if (!response.ok || !response.body) {
    const text = (await response.text().catch(() => '')).slice(0, 300);
    throw new ServiceUnavailableError(
      `The model answered ${response.status}${text ? `: ${text}` : ''}`,
    );
  }
  for await (const { event, data } of readServerSentEvents(
    response.body as unknown as AsyncIterable<Uint8Array>,
  )) {
    if (data === '[DONE]') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      throw new ServiceUnavailableError(
        'The model sent a stream event that is not JSON',
      );
    }
    yield { event, data: parsed };
  }
}
