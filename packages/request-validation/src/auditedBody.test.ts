import { auditedBodyParser } from './auditedBody';

type Req = { path: string };

function auditorInto(events: string[], failing = false) {
  return {
    createEvent: async (options: {
      eventId: string;
      meta?: Record<string, unknown>;
    }) => {
      if (failing) throw new Error('audit log down');
      return {
        fail: async ({ error }: { error: Error }) => {
          events.push(
            `${options.eventId} ${options.meta?.path}: ${error.message}`,
          );
        },
      };
    },
  };
}

describe('auditedBodyParser', () => {
  it('audits a refused body, then passes the refusal on', async () => {
    const refusal = Object.assign(new Error('request entity too large'), {
      status: 413,
    });
    const audited: string[] = [];
    const middleware = auditedBodyParser<Req>(
      (_req, _res, next) => next(refusal),
      auditorInto(audited),
    );
    const passed = await new Promise(resolve =>
      middleware({ path: '/gate' }, undefined, resolve),
    );
    expect(passed).toBe(refusal);
    expect(audited).toEqual([
      'request-refused /gate: request entity too large',
    ]);
  });

  it('passes a good body on without auditing', async () => {
    const audited: string[] = [];
    const middleware = auditedBodyParser<Req>(
      (_req, _res, next) => next(),
      auditorInto(audited),
    );
    const passed = await new Promise(resolve =>
      middleware({ path: '/gate' }, undefined, resolve),
    );
    expect(passed).toBeUndefined();
    expect(audited).toEqual([]);
  });

  it('still refuses when the audit itself fails', async () => {
    const refusal = new Error('Unexpected end of JSON input');
    const middleware = auditedBodyParser<Req>(
      (_req, _res, next) => next(refusal),
      auditorInto([], true),
    );
    const passed = await new Promise(resolve =>
      middleware({ path: '/gate' }, undefined, resolve),
    );
    expect(passed).toBe(refusal);
  });
});
