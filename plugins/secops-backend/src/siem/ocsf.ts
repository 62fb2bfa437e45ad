import { Severity } from '@portal/plugin-secops-common';
import { StoredEvent } from '../database/types';

/**
 * Events in the shape of OCSF 1.1 (Open Cybersecurity Schema Framework), so
 * a SIEM can take them without a custom parser:
 *
 * - finding events are Vulnerability Finding (2002) for dependencies and
 *   Detection Finding (2004) for everything else; activity Create (1) when
 *   first found or reopened, Close (3) when fixed;
 * - gate decisions and exemption changes are Application Lifecycle (6002)
 *   events carrying the decision in `unmapped`, as OCSF has no class for them.
 */
const SEVERITY_ID: Record<Severity, number> = {
  info: 1,
  low: 2,
  medium: 3,
  high: 4,
  critical: 5,
};

const PRODUCT = {
  name: 'Acme Developer Portal SecOps',
  vendor_name: 'Acme',
};

export function toOcsf(event: StoredEvent): Record<string, unknown> {
  const base = {
    time: event.at.getTime(),
    metadata: {
      version: '1.1.0',
      product: PRODUCT,
      uid: event.id,
      log_name: 'secops',
    },
    actor: { user: { uid: event.actor } },
    resources: [{ uid: event.entityRef, type: 'backstage-entity' }],
  };

  if (event.kind === 'finding' && event.finding) {
    const f = event.finding;
    const vulnerability = f.category === 'sca';
    const classUid = vulnerability ? 2002 : 2004;
    const activityId = event.action === 'fixed' ? 3 : 1;
    return {
      ...base,
      category_uid: 2,
      class_uid: classUid,
      class_name: vulnerability ? 'Vulnerability Finding' : 'Detection Finding',
      activity_id: activityId,
      activity_name: event.action === 'fixed' ? 'Close' : 'Create',
      type_uid: classUid * 100 + activityId,
      severity_id: SEVERITY_ID[f.severity],
      severity: f.severity,
      status: event.action === 'fixed' ? 'Resolved' : 'New',
      finding_info: {
        uid: `${f.entityRef}/${f.tool}/${f.fingerprint}`,
        title: f.title,
        types: [f.category],
        first_seen_time: f.firstSeenAt.getTime(),
        last_seen_time: f.lastSeenAt.getTime(),
        src_url: f.helpUrl,
        product_uid: f.tool,
      },
      ...(vulnerability
        ? {
            vulnerabilities: [
              {
                cve: { uid: f.ruleId },
                severity: f.severity,
                affected_packages: f.packageName
                  ? [
                      {
                        name: f.packageName,
                        version: f.packageVersion,
                        fixed_in_version: f.fixedVersion,
                      },
                    ]
                  : [],
              },
            ],
          }
        : {}),
      unmapped: {
        event: event.action,
        location: f.locationPath,
        line: f.locationLine,
        url: f.url,
        rule_id: f.ruleId,
      },
    };
  }

  return {
    ...base,
    category_uid: 6,
    class_uid: 6002,
    class_name: 'Application Lifecycle',
    activity_id: 99,
    activity_name: `${event.kind}.${event.action}`,
    type_uid: 600299,
    severity_id: event.kind === 'gate' && event.action === 'failed' ? 3 : 1,
    unmapped: {
      event: `${event.kind}.${event.action}`,
      gate: event.decision,
      exemption: event.exemption,
    },
  };
}

/** The events as OCSF JSON, one object a line (NDJSON). */
export function toOcsfLines(events: StoredEvent[]): string {
  return events.map(e => `${JSON.stringify(toOcsf(e))}\n`).join('');
}
