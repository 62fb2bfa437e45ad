/*
 * The SecOps router's validation, before its routes: the spec
 * (src/schema/openapi.yaml) through Backstage's validated OpenAPI router,
 * JSON bodies parsed for it, and its refusals audited as the routes' own.
 */
import { AuditorService } from '@backstage/backend-plugin-api';
import {
  AuditedRoute,
  createValidatedRouter as validatedRouter,
} from '@portal/request-validation';
import express from 'express';
import { createOpenApiRouter } from '../schema/openapi';

/**
 * The routes whose refusals are audited as their own events: a refusal of
 * the validator (src/schema/openapi.yaml) is recorded as the route's
 * refusal was before the spec checked its query and body.
 */
const AUDITED_ROUTES: AuditedRoute<express.Request>[] = [
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
    method: 'PUT',
    path: /^\/gate-policies$/,
    eventId: 'gate-policy-change',
    severityLevel: 'high',
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
export function createValidatedRouter(auditor: AuditorService) {
  // JSON bodies (the gate, exemptions) are parsed up to 64 KiB, and a
  // refused one is audited and answered (413, 400) as it is. A report's
  // body is binary to the spec: it is neither read nor checked here (and no
  // multipart upload is taken), but streamed by the upload route.
  return validatedRouter({
    createOpenApiRouter,
    auditor,
    bodyParser: express.json({ limit: '64kb' }),
    rawBody: req => req.method === 'POST' && req.path === '/reports',
    auditedRoutes: AUDITED_ROUTES,
  });
}
