import { readServerSentEvents } from './sse';

async function* chunks(...parts: string[]) {
  for (const part of parts) yield new TextEncoder().encode(part);
}

async function all(body: AsyncIterable<Uint8Array>, maxBytes?: number) {
  const events = [];
  for await (const event of readServerSentEvents(body, maxBytes)) {
    events.push(event);
  }
  return events;
}

describe('readServerSentEvents', () => {
  it('reads events split anywhere across chunks, with any line ending', async () => {
    expect(
      await all(
        chunks(
          'event: message_start\r\ndata: {"a"',
          ':1}\r\n\r\n: a comment\n',
          'data: one\ndata: two\n\nda',
          'ta: [DONE]\n\n',
        ),
      ),
    ).toEqual([
      { event: 'message_start', data: '{"a":1}' },
      { event: 'message', data: 'one\ntwo' },
      { event: 'message', data: '[DONE]' },
    ]);
  });

  it('keeps a last event that has no blank line after it', async () => {
    expect(await all(chunks('data: last'))).toEqual([
      { event: 'message', data: 'last' },
    ]);
  });

  it('cuts off a stream past its size bound', async () => {
    await expect(all(chunks('data: x\n\n'.repeat(100)), 50)).rejects.toThrow(
      /went past 50 bytes/,
    );
  });
});
