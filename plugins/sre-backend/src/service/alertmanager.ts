import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { z } from 'zod/v3';
import { AlertInput } from '../database/SreStore';

/** The Alertmanager webhook payload (version 4), as far as the portal reads it. */
export const alertmanagerPayload = z
  .object({
    version: z.string().max(10).optional(),
    status: z.enum(['firing', 'resolved']).optional(),
    receiver: z.string().max(255).optional(),
    externalURL: z.string().max(2000).optional(),
    alerts: z
      .array(
        z.object({
          status: z.enum(['firing', 'resolved']),
          labels: z.record(z.string().max(2000)),
          annotations: z.record(z.string().max(10_000)).default({}),
          startsAt: z.string().datetime({ offset: true }),
          endsAt: z.string().max(64).optional(),
          generatorURL: z.string().max(2000).optional(),
          fingerprint: z.string().min(1).max(128),
        }),
      )
      .max(1000, 'at most 1000 alerts per request'),
  })
  .passthrough();

export type AlertmanagerPayload = z.infer<typeof alertmanagerPayload>;

/** Alertmanager's "not ended yet" end time. */
const ZERO_TIME = /^0001-01-01/;

/**
 * The entity an alert is about: the first of the configured labels it has,
 * as an entity ref (a bare name is a component in the default namespace).
 */
export function entityOfAlert(
  labels: Record<string, string>,
  entityLabels: string[],
): string | undefined {
  for (const label of entityLabels) {
    const value = labels[label]?.trim();
    if (!value) continue;
    try {
      return stringifyEntityRef(
        parseEntityRef(value, {
          defaultKind: 'component',
          defaultNamespace: 'default',
        }),
      );
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Only http(s) links are kept (they are shown as links). */
const httpUrl = (value?: string) =>
  value && /^https?:\/\//i.test(value) ? value : undefined;

export function alertsOf(
  payload: AlertmanagerPayload,
  entityLabels: string[],
): { alerts: AlertInput[]; unmatched: string[] } {
  const alerts: AlertInput[] = [];
  const unmatched: string[] = [];
  for (const a of payload.alerts) {
    const entityRef = entityOfAlert(a.labels, entityLabels);
    const alertName = a.labels.alertname ?? 'unnamed alert';
    if (!entityRef) {
      unmatched.push(alertName);
      continue;
    }
    alerts.push({
      fingerprint: a.fingerprint,
      entityRef,
      alertName,
      status: a.status,
      severity: a.labels.severity,
      summary: a.annotations.summary ?? a.annotations.description,
      startsAt: new Date(a.startsAt).toISOString(),
      endsAt:
        a.endsAt &&
        !ZERO_TIME.test(a.endsAt) &&
        !Number.isNaN(Date.parse(a.endsAt))
          ? new Date(a.endsAt).toISOString()
          : undefined,
      generatorUrl: httpUrl(a.generatorURL),
    });
  }
  return { alerts, unmatched };
}
