/*
 * The SecOps router's validation, before its routes: the spec
 * (src/schema/openapi.yaml) through Backstage's validated OpenAPI router,
 * JSON bodies parsed for it, and its refusals audited as the routes' own.
 */
import { AuditorService } from '@backstage/backend-plugin-api';
import { auditedBodyParser } from '@portal/request-validation';
import express from 'express';
import { createOpenApiRouter } from '../schema/openapi';

/** Where a refused JSON body waits for the validator to have run. */
const BODY_REFUSAL = Symbol('body refusal');
type Deferred = express.Request & { [BODY_REFUSAL]?: Error };

/**
 * The routes whose refusals are audited as their own events: a refusal of
 * the validator (src/schema/openapi.yaml) is recorded as the route's
 * refusal was before the spec checked its query and body.
 */
const AUDITED_ROUTES: Array<{
  method: string;
  path: RegExp;
  eventId: string;
  severityLevel?: 'high';
  meta: (req: express.Request) => Record<string, string>;
}> = [
  {
    method: 'POST',
    path: /^\/reports$/,
    eventId: 'report-upload',
    meta: req => ({
      entityRef: String(req.query.entityRef ?? '').slice(0, 300),
      tool: String(req.query.tool ?? '').slice(0, 100),
    }),
  },
  {
    method: 'POST',
    path: /^\/gate$/,
    eventId: 'gate-decision',
    meta: req => ({
      entityRef: String(req.body?.entityRef ?? '').slice(0, 300),
    }),
  },
  {
    method: 'POST',
    path: /^\/findings\/[^/]+\/exemptions$/,
    eventId: 'exemption-request',
    meta: req => ({ findingId: req.path.split('/')[2] }),
  },
  {
    method: 'POST',
    path: /^\/exemptions\/[^/]+\/decision$/,
    eventId: 'exemption-decision',
    severityLevel: 'high',
    meta: req => ({ exemptionId: req.path.split('/')[2] }),
  },
];

/**
 * The validated router the SecOps routes are added to: a query or JSON body
 * that breaks the spec is refused with 400 naming what is wrong (and, on an
 * audited route, audited as its failure); a report's body is left unread
 * for the upload route.
 */
export async function createValidatedRouter(auditor: AuditorService) {
  // JSON bodies (the gate, exemptions) are parsed up to 64 KiB, and a
  // refused one is audited. Reports are not: their body is read raw by the
  // upload route, as a stream. The validated router turns any error
  // before its routes into a 400, so the parser's refusal (413 too large,
  // 400 not JSON) waits on the request until the validator has run, and is
  // answered as it is.
  const parser = auditedBodyParser<express.Request>(
    express.json({ limit: '64kb' }),
    auditor,
  );
  // The spec (src/schema/openapi.yaml) checks parameters and JSON bodies
  // before the routes: an unknown or out-of-bounds one answers 400 naming
  // it. A report's body is binary to it, so it is neither read nor checked
  // (and no multipart upload is taken). Who may call is httpAuth's (401)
  // and the routes' (403) to say, not the validator's.
  const router = await createOpenApiRouter({
    validatorOptions: { validateSecurity: false, fileUploader: false },
    middleware: [
      (req, res, next) => {
        if (req.method === 'POST' && req.path === '/reports') {
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
      const route = AUDITED_ROUTES.find(
        r => r.method === req.method && r.path.test(req.path),
      );
      if (route) {
        await auditor
          .createEvent({
            eventId: route.eventId,
            severityLevel: route.severityLevel ?? 'medium',
            request: req,
            meta: route.meta(req),
          })
          .then(event => event.fail({ error }))
          .catch(() => undefined);
      }
      next(error);
    },
  );
  return router;
}
