import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { AlertmanagerWebhook } from '@portal/plugin-sre-common';
import { AlertInput } from '../database/SreStore';

// The payload's shape and bounds (at most 1000 alerts, RFC 3339 start
// times, label and annotation lengths) are the spec's
// (src/schema/openapi.yaml, AlertmanagerWebhook), checked by the validated
// router before the route reads it.

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
  payload: AlertmanagerWebhook,
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
      summary: a.annotations?.summary ?? a.annotations?.description,
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
