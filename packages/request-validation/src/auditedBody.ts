/** Express-shaped middleware, without depending on express. */
type Middleware<Req, Res> = (
  req: Req,
  res: Res,
  next: (error?: unknown) => void,
) => void;

/** What this needs of Backstage's AuditorService. */
export interface RefusalAuditor<Req> {
  createEvent(options: {
    eventId: string;
    severityLevel?: 'low' | 'medium' | 'high' | 'critical';
    request?: Req;
    meta?: Record<string, unknown>;
  }): Promise<{ fail(options: { error: Error }): Promise<void> }>;
}

/**
 * A body parser (express.json and the like) whose refusals are audited: a
 * malformed, oversized or wrongly encoded body is refused before any route
 * sees it, and the refusal is recorded as a failed `request-refused` event
 * (who, from where, which path, why) before the error answers the request.
 */
export function auditedBodyParser<Req extends { path: string }, Res = unknown>(
  // Body parsers are typed on Node's request; routes get the framework's.
  parser: Middleware<any, any>,
  auditor: RefusalAuditor<Req>,
): Middleware<Req, Res> {
  return (req, res, next) =>
    parser(req, res, error => {
      if (!error) {
        next();
        return;
      }
      auditor
        .createEvent({
          eventId: 'request-refused',
          severityLevel: 'low',
          request: req,
          meta: { path: req.path },
        })
        .then(event => event.fail({ error: error as Error }))
        .then(
          () => next(error),
          () => next(error),
        );
    });
}
