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

/**
 * The validated router, ready for the routes. JSON bodies (budgets) are
 * parsed up to 10 kB (a refused one is audited and answered 413 or 400 as
 * it is); the FOCUS upload's body is left to its route.
 */
export function createValidatedRouter(auditor: AuditorService) {
  return validatedRouter({
    createOpenApiRouter,
    auditor,
    bodyParser: express.json({ limit: '10kb' }),
    rawBody: isUpload,
    auditedRoutes: AUDITED,
  });
}
