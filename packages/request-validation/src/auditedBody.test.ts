import { auditedBodyParser } from './auditedBody';

describe('auditedBodyParser', () => {
  it('audits a refused body, then passes the refusal on', async () => {
    const refusal = Object.assign(new Error('request entity too large'), {
      status: 413,
    });
    const audited: string[] = [];
    const middleware = auditedBodyParser(
      (_req: string, _res: unknown, next) => next(refusal),
      async (req, error) => {
        audited.push(`${req}: ${error.message}`);
      },
    );
    const passed = await new Promise(resolve =>
      middleware('POST /gate', undefined, resolve),
    );
    expect(passed).toBe(refusal);
    expect(audited).toEqual(['POST /gate: request entity too large']);
  });

  it('passes a good body on without auditing', async () => {
    const audit = jest.fn();
    const middleware = auditedBodyParser(
      (_req: string, _res: unknown, next) => next(),
      audit,
    );
    const passed = await new Promise(resolve =>
      middleware('POST /gate', undefined, resolve),
    );
    expect(passed).toBeUndefined();
    expect(audit).not.toHaveBeenCalled();
  });

  it('still refuses when the audit itself fails', async () => {
    const refusal = new Error('Unexpected end of JSON input');
    const middleware = auditedBodyParser(
      (_req: string, _res: unknown, next) => next(refusal),
      async () => {
        throw new Error('audit log down');
      },
    );
    const passed = await new Promise(resolve =>
      middleware('POST /gate', undefined, resolve),
    );
    expect(passed).toBe(refusal);
  });
});
