/*
 * The FinOps router's front: the validated OpenAPI router of
 * src/schema/openapi.yaml, which checks every query, path parameter and
 * JSON body before the routes (an unknown or out-of-bounds one answers 400
 * naming it), with the plugin's body parsing and auditing around it.
 */
import { AuditorService } from '@backstage/backend-plugin-api';
import { auditedBodyParser } from '@portal/request-validation';
import express from 'express';
import { createOpenApiRouter } from '../schema/openapi';

/** Where a refused body waits for the validator to have run. */
const BODY_REFUSAL = Symbol('body refusal');
type Deferred = express.Request & { [BODY_REFUSAL]?: Error };

/** The upload's body is the file, streamed by the route, never parsed. */
const isUpload = (req: express.Request) =>
  req.method === 'POST' && req.path === '/imports/focus';

/**
 * The audited routes: a request the validator refuses is audited as the
 * route's own refusals are, as a failed event of the route.
 */
const AUDITED: Array<{ method: string; path: RegExp; eventId: string }> = [
  { method: 'POST', path: /^\/imports\/focus$/, eventId: 'focus-import' },
  {
    method: 'GET',
    path: /^\/organisation\/export\.csv$/,
    eventId: 'cost-export',
  },
  { method: 'PUT', path: /^\/budgets\/[^/]+\/[^/]+$/, eventId: 'budget-set' },
  {
    method: 'DELETE',
    path: /^\/budgets\/[^/]+\/[^/]+$/,
    eventId: 'budget-delete',
  },
];

/**
 * The validated router, ready for the routes. JSON bodies (budgets) are
 * parsed up to 10 kB, and a refused one is audited; the validated router
 * turns any error before its routes into a 400, so the parser's refusal
 * (413 too large, 400 not JSON) waits on the request until the validator
 * has run, and is answered as it is. Who may call is httpAuth's (401) and
 * the routes' (403) to say, not the validator's.
 */
export async function createValidatedRouter(auditor: AuditorService) {
  const parser = auditedBodyParser<express.Request>(
    express.json({ limit: '10kb' }),
    auditor,
  );
  const router = await createOpenApiRouter({
    validatorOptions: { validateSecurity: false },
    middleware: [
      (req, res, next) => {
        if (isUpload(req)) {
          next();
          return;
        }
        parser(req, res, error => {
          if (error) (req as Deferred)[BODY_REFUSAL] = error as Error;
          next();
        });
      },
    ],
  });
  router.use((req, _res, next) => next((req as Deferred)[BODY_REFUSAL]));
  router.use(
    async (
      error: Error,
      req: Deferred,
      _res: express.Response,
      next: express.NextFunction,
    ) => {
      const refusal = req[BODY_REFUSAL];
      if (refusal) {
        next(refusal);
        return;
      }
      const audited = AUDITED.find(
        a => a.method === req.method && a.path.test(req.path),
      );
      if (audited) {
        await auditor
          .createEvent({
            eventId: audited.eventId,
            severityLevel: 'medium',
            request: req,
          })
          .then(event => event.fail({ error }))
          .catch(() => undefined);
      }
      next(error);
    },
  );
  return router;
}
