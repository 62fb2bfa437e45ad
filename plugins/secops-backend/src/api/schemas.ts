/*
 * What the SecOps routes accept in their queries and bodies, as the routes
 * read them. The spec (src/schema/openapi.yaml) states the same bounds and
 * the validated router refuses what breaks them first, with its own wording;
 * these schemas then give the routes their values (severities and categories
 * split, strings trimmed, defaults) and refuse what the spec cannot say: a
 * justification or an advisory id too short once trimmed. Anything else is
 * refused with 400 (the objects are strict), before a service is called.
 */
import { FINDING_CATEGORIES, SEVERITIES } from '@portal/plugin-secops-common';
import { z } from 'zod/v3';
import { userRefOf } from '../service/FindingAssignments';
import { CLUSTER_NAMESPACES } from '../offPath/admission';

const csv = <T extends string>(values: readonly [T, ...T[]]) =>
  z
    .string()
    .transform(s => s.split(',').filter(Boolean))
    .pipe(z.array(z.enum(values)));

/** A query flag: true or false. */
const flag = z.enum(['true', 'false']).transform(value => value === 'true');

const commit = z
  .string()
  .regex(/^[0-9a-f]{7,64}$/i, 'commit must be a git commit hash')
  .optional();
const branch = z.string().min(1).max(255).optional();

export const uploadQuery = z
  .object({
    entityRef: z.string().min(1),
    tool: z
      .string()
      .regex(
        /^[a-z0-9][a-z0-9._-]{0,99}$/i,
        'tool must be a short name such as semgrep or trivy',
      ),
    format: z.string().max(32).optional(),
    commit,
    branch,
  })
  .strict();

export const listQuery = z
  .object({
    status: z.enum(['open', 'fixed']).optional(),
    severity: csv(SEVERITIES).optional(),
    category: csv(FINDING_CATEGORIES).optional(),
    search: z.string().max(200).optional(),
    knownExploited: flag.optional(),
    assignee: z
      .string()
      .trim()
      .min(1)
      .max(255)
      .transform((value, ctx) => {
        if (value === 'none') return null;
        const ref = userRefOf(value);
        if (ref) return ref;
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          message: 'assignee must be a user, such as user:default/ada, or none',
        });
        return z.NEVER;
      })
      .optional(),
    sort: z.enum(['severity', 'epss']).default('severity'),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    cursor: z.string().max(200).optional(),
  })
  .strict();

export const postureQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(500).default(100),
    offset: z.coerce.number().int().min(0).default(0),
  })
  .strict();

export const trendQuery = z
  .object({ days: z.coerce.number().int().min(2).max(400).default(90) })
  .strict();

export const pageQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().max(200).optional(),
  })
  .strict();

export const topRisksQuery = z
  .object({ limit: z.coerce.number().int().min(1).max(100).default(20) })
  .strict();

export const exposureQuery = z
  .object({
    id: z
      .string()
      .trim()
      .min(3, 'id must be an advisory or rule id such as CVE-2021-44228')
      .max(200),
    knownExploited: flag.optional(),
  })
  .strict();

export const exportQuery = z
  .object({
    cursor: z
      .string()
      .regex(/^\d{1,18}$/, 'cursor must be an event id')
      .optional(),
    limit: z.coerce.number().int().min(1).max(5000).default(1000),
  })
  .strict();

export const gateBody = z
  .object({
    entityRef: z.string().min(1),
    commit,
    branch,
  })
  .strict();

export const exemptionBody = z
  .object({
    justification: z
      .string()
      .trim()
      .min(10, 'justification must say why, in at least 10 characters')
      .max(2000),
    expiresAt: z.string().datetime({
      offset: true,
      message: 'expiresAt must be an ISO 8601 date and time',
    }),
  })
  .strict();

export const checkExemptionBody = exemptionBody
  .extend({ checkId: z.string().trim().min(1).max(64) })
  .strict();

export const decisionBody = z
  .object({
    decision: z.enum(['approve', 'reject']),
    comment: z.string().trim().max(2000).optional(),
  })
  .strict();

export const assignmentBody = z
  .object({
    findingIds: z
      .array(z.string().regex(/^\d{1,18}$/, 'findingIds must be finding ids'))
      .min(1)
      .max(500),
    assignee: z.string().trim().min(1).max(255).nullable(),
  })
  .strict();

export const complianceQuery = z
  .object({
    entityRef: z.string().min(1).max(300).optional(),
    groupRef: z.string().min(1).max(300).optional(),
  })
  .strict()
  .refine(q => !(q.entityRef && q.groupRef), {
    message: 'Give entityRef or groupRef, not both',
  });

export const evidenceQuery = z
  .object({
    day: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'day must be a date as YYYY-MM-DD')
      .optional(),
  })
  .strict();

export const ticketBody = z
  .object({
    findingIds: z
      .array(z.string().regex(/^\d{1,18}$/, 'findingIds must be finding ids'))
      .min(1)
      .max(100),
  })
  .strict();

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export const offPathBody = z
  .object({
    entityRef: z.string().min(1).max(300),
    namespace: z
      .string()
      .max(63)
      .regex(
        DNS_LABEL,
        'namespace must be a Kubernetes namespace name (lower case letters, digits and -)',
      )
      .refine(
        ns => !CLUSTER_NAMESPACES.includes(ns),
        'the golden-path policy does not apply in the cluster’s own namespaces',
      ),
    workload: z
      .string()
      .max(253)
      .regex(
        DNS_SUBDOMAIN,
        'workload must be a Kubernetes object name (lower case letters, digits, - and .)',
      ),
    reason: z
      .string()
      .trim()
      .min(10, 'reason must say why, in at least 10 characters')
      .max(2000),
    expiresAt: z.string().datetime({
      offset: true,
      message: 'expiresAt must be an ISO 8601 date and time',
    }),
  })
  .strict();

export const offPathListQuery = z
  .object({
    state: z.enum(['pending', 'active', 'expired', 'rejected']).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().max(200).optional(),
  })
  .strict();
