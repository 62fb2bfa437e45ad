import { EventStore, WebhookDelivery } from '../database/types';
import { toOcsfLines } from '../siem/ocsf';

/**
 * The event log for a SIEM: read by polling (export) or pushed to the
 * configured webhooks (../siem/webhooks.ts), whose progress this reports.
 * Callers authorize first.
 */
export class EventExport {
  constructor(private readonly events: EventStore) {}

  /**
   * Up to `limit` events after the cursor (an event id), oldest first, as
   * OCSF NDJSON; `next` is the cursor to poll with for what follows (the
   * same cursor when nothing came).
   */
  async export(query: { cursor?: string; limit: number }): Promise<{
    ndjson: string;
    count: number;
    next: string;
  }> {
    const events = await this.events.listEvents({
      afterId: query.cursor,
      limit: query.limit,
    });
    return {
      ndjson: toOcsfLines(events),
      count: events.length,
      next: events.length ? events[events.length - 1].id : query.cursor ?? '0',
    };
  }

  /** How far each SIEM webhook got, and its retry state. */
  async webhookDeliveries(): Promise<WebhookDelivery[]> {
    return this.events.listWebhookDeliveries();
  }
}
