/** Express-shaped middleware, without depending on express. */
type Middleware<Req, Res> = (
  req: Req,
  res: Res,
  next: (error?: unknown) => void,
) => void;

/**
 * A body parser (express.json and the like) whose refusals are audited: a
 * malformed, oversized or wrongly encoded body is refused before any route
 * sees it, and `audit` records that refusal (who, from where, why) before
 * the error answers the request.
 */
export function auditedBodyParser<Req, Res = unknown>(
  // Body parsers are typed on Node's request; routes get the framework's.
  parser: Middleware<any, any>,
  audit: (req: Req, error: Error) => Promise<void>,
): Middleware<Req, Res> {
  return (req, res, next) =>
    parser(req, res, error => {
      if (!error) {
        next();
        return;
      }
      audit(req, error as Error).then(
        () => next(error),
        () => next(error),
      );
    });
}
