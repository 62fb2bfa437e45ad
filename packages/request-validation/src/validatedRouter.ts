/*
 * The front of every validated plugin router: Backstage's validated OpenAPI
 * router (the plugin's generated createOpenApiRouter), JSON bodies parsed
 * for it, and its refusals audited as the routes' own.
 *
 * The validated router answers any error raised before its routes with a
 * 400, so a body parser's refusal (413 too large, 400 not JSON) waits on the
 * request until the validator has run and is then answered as it is.
 */
import { auditedBodyParser, RefusalAuditor } from './auditedBody';

type Next = (error?: unknown) => void;
/** Express-shaped middleware, without depending on express. */
type Middleware = (req: any, res: any, next: Next) => void;

/** A request as this reads it. */
export interface RoutedRequest {
  method: string;
  path: string;
}

/** A route whose refusals by the validator are audited as its own events. */
export interface AuditedRoute<Req extends RoutedRequest = RoutedRequest> {
  method: string;
  /** Matched against the path inside the plugin's router. */
  path: RegExp;
  eventId: string;
  severityLevel?: 'low' | 'medium' | 'high' | 'critical';
  /** What the event records of the refused request. */
  meta?(req: Req): Record<string, unknown>;
}

const BODY_REFUSAL = Symbol('body refusal');
type Deferred = { [BODY_REFUSAL]?: Error };

/**
 * The validated router, ready for the routes. `bodyParser` (express.json
 * with the plugin's limit) runs for every request but those `rawBody`
 * names (uploads, read as streams by their route), and its refusals are
 * audited (`request-refused`). Who may call is httpAuth's (401) and the
 * routes' (403) to say, not the validator's: security is not validated.
 */
export async function createValidatedRouter<
  Router extends { use(...handlers: any[]): unknown },
  Req extends RoutedRequest = RoutedRequest,
>(options: {
  createOpenApiRouter(routerOptions: {
    validatorOptions: { validateSecurity: false; fileUploader?: false };
    middleware: Middleware[];
  }): Promise<Router>;
  auditor: RefusalAuditor<Req>;
  bodyParser: Middleware;
  rawBody?(req: Req): boolean;
  auditedRoutes?: AuditedRoute<Req>[];
}): Promise<Router> {
  const { auditor } = options;
  const parse = auditedBodyParser<Req>(options.bodyParser, auditor);
  const router = await options.createOpenApiRouter({
    validatorOptions: {
      validateSecurity: false,
      ...(options.rawBody ? { fileUploader: false as const } : {}),
    },
    middleware: [
      (req, res, next) => {
        if (options.rawBody?.(req)) {
          next();
          return;
        }
        parse(req, res, error => {
          if (error) (req as Deferred)[BODY_REFUSAL] = error as Error;
          next();
        });
      },
    ],
  });
  router.use((req: Deferred, _res: unknown, next: Next) =>
    next(req[BODY_REFUSAL]),
  );
  router.use(
    async (error: Error, req: Req & Deferred, _res: unknown, next: Next) => {
      const refusal = req[BODY_REFUSAL];
      if (refusal) {
        next(refusal);
        return;
      }
      const route = options.auditedRoutes?.find(
        r => r.method === req.method && r.path.test(req.path),
      );
      if (route) {
        await auditor
          .createEvent({
            eventId: route.eventId,
            severityLevel: route.severityLevel ?? 'medium',
            request: req,
            meta: route.meta?.(req),
          })
          .then(event => event.fail({ error }))
          .catch(() => undefined);
      }
      next(error);
    },
  );
  return router;
}
