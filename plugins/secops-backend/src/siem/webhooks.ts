import {
  LoggerService,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { EventStore } from '../database/types';
import { toOcsfLines } from './ocsf';

/** A SIEM endpoint that receives the event log as NDJSON batches. */
export interface WebhookTarget {
  name: string;
  url: string;
  headers: Record<string, string>;
  batchSize: number;
}

const MAX_BATCHES_PER_RUN = 20;
const BASE_BACKOFF_MS = 30_000;
const MAX_BACKOFF_MS = 3600_000;
const TIMEOUT_MS = 10_000;

export function readWebhookTargets(config: Config): WebhookTarget[] {
  return (config.getOptionalConfigArray('secops.siem.webhooks') ?? []).map(
    target => {
      const url = target.getString('url');
      if (!/^https?:\/\//.test(url)) {
        throw new Error(`secops.siem.webhooks: ${url} is not an http(s) URL`);
      }
      const headers = target.getOptionalConfig('headers');
      return {
        name: target.getString('name'),
        url,
        headers: Object.fromEntries(
          (headers?.keys() ?? []).map(key => [key, headers!.getString(key)]),
        ),
        batchSize: target.getOptionalNumber('batchSize') ?? 500,
      };
    },
  );
}

/** How long to wait after `attempts` failures in a row. */
export function backoff(attempts: number): number {
  return Math.min(BASE_BACKOFF_MS * 2 ** (attempts - 1), MAX_BACKOFF_MS);
}

/**
 * Sends what the target has not received yet, batch by batch, and records
 * how far it got. A failed batch is retried later with exponential backoff;
 * nothing is skipped and a batch is only passed once the target accepted it
 * (so a target may see a batch twice, never miss one).
 */
export async function deliver(options: {
  target: WebhookTarget;
  store: EventStore;
  logger: LoggerService;
  now: () => Date;
  fetch?: typeof fetch;
}): Promise<{ sent: number; failed: boolean }> {
  const { target, store, logger, now } = options;
  const send = options.fetch ?? fetch;
  let delivery = await store.getWebhookDelivery(target.name);
  if (delivery.nextAttemptAt && delivery.nextAttemptAt > now()) {
    return { sent: 0, failed: false };
  }
  let sent = 0;
  for (let batch = 0; batch < MAX_BATCHES_PER_RUN; batch++) {
    const events = await store.listEvents({
      afterId: delivery.cursor,
      limit: target.batchSize,
    });
    if (!events.length) break;
    const body = toOcsfLines(events);
    try {
      const response = await send(target.url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson', ...target.headers },
        body,
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      if (!response.ok) {
        throw new Error(`the webhook answered ${response.status}`);
      }
    } catch (error) {
      const attempts = delivery.attempts + 1;
      delivery = {
        ...delivery,
        attempts,
        nextAttemptAt: new Date(now().getTime() + backoff(attempts)),
        // A webhook URL is often its secret (a token in the path or query):
        // the stored error, which the deliveries list shows, never holds it.
        lastError: withoutUrl((error as Error).message, target.url),
      };
      await store.saveWebhookDelivery(delivery, now());
      logger.warn(
        `SIEM webhook ${target.name} failed (attempt ${attempts}): ${delivery.lastError}`,
      );
      return { sent, failed: true };
    }
    sent += events.length;
    delivery = {
      name: target.name,
      cursor: events[events.length - 1].id,
      attempts: 0,
    };
    await store.saveWebhookDelivery(delivery, now());
  }
  return { sent, failed: false };
}

/** An error message with the webhook's URL, and any URL's secrets, left out. */
export function withoutUrl(message: string, url: string): string {
  return message
    .split(url)
    .join('<webhook URL>')
    .replace(/\b(https?:\/\/)[^\s/@]+@/gi, '$1')
    .replace(/\b(https?:\/\/[^\s?#]+)[?#]\S*/gi, '$1');
}

/**
 * Every target, on `secops.siem.schedule` (Backstage's task schedule shape;
 * the older `secops.siem.frequencySeconds` when it is not set), on one
 * replica.
 */
export async function scheduleWebhooks(options: {
  config: Config;
  scheduler: SchedulerService;
  store: EventStore;
  logger: LoggerService;
}) {
  const targets = readWebhookTargets(options.config);
  if (!targets.length) return;
  const own = options.config.getOptionalConfig('secops.siem.schedule');
  const schedule = own
    ? readSchedulerServiceTaskScheduleDefinitionFromConfig(own)
    : {
        frequency: {
          seconds:
            options.config.getOptionalNumber('secops.siem.frequencySeconds') ??
            60,
        },
        timeout: { minutes: 5 },
      };
  await options.scheduler.scheduleTask({
    id: 'secops-siem-webhooks',
    ...schedule,
    scope: 'global',
    fn: async () => {
      for (const target of targets) {
        await deliver({ ...options, target, now: () => new Date() });
      }
    },
  });
}
