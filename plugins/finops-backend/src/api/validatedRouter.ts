/*
 * The FinOps router's front: the validated OpenAPI router of
 * src/schema/openapi.yaml, which checks every query, path parameter and
 * JSON body before the routes (an unknown or out-of-bounds one answers 400
 * naming it), with the plugin's body parsing and auditing around it.
 */
import { AuditorService } from '@backstage/backend-plugin-api';
import {
  AuditedRoute,
  createValidatedRouter as validatedRouter,
} from '@portal/request-validation';
import express from 'express';
import { createOpenApiRouter } from '../schema/openapi';

/** The upload's body is the file, streamed by the route, never parsed. */
const isUpload = (req: express.Request) =>
  req.method === 'POST' && req.path === '/imports/focus';

/**
 * The audited routes: a request the validator refuses is audited as the
 * route's own refusals are, as a failed event of the route.
 */
const AUDITED: AuditedRoute[] = [
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

/** JSON bodies: a budget is small; a batch of 500 entity refs is not. */
const smallJson = express.json({ limit: '10kb' });
const batchJson = express.json({ limit: '256kb' });
const parseJson: express.RequestHandler = (req, res, next) =>
  (req.path === '/entities/attributed-cost' ? batchJson : smallJson)(
    req,
    res,
    next,
  );

/**
 * The validated router, ready for the routes. JSON bodies are parsed up to
 * 10 kB (budgets) or 256 kB (a batch of entity refs); a refused one is
 * audited and answered 413 or 400 as it is. The FOCUS upload's body is
 * left to its route.
 */
export function createValidatedRouter(auditor: AuditorService) {
  return validatedRouter({
    createOpenApiRouter,
    auditor,
    bodyParser: parseJson,
    rawBody: isUpload,
    auditedRoutes: AUDITED,
  });
}
