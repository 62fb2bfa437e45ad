import { LoggerService } from '@backstage/backend-plugin-api';
import { SignalsService } from '@backstage/plugin-signals-node';
import { entitySignalChannel } from '@portal/plugin-secops-common';

/** What changed of an entity's findings. */
export type EntityChange = 'scan' | 'assignment' | 'exemption' | 'ticket';

/**
 * Tells the open Security tabs of entities that their findings changed,
 * through Backstage's signals (a push to the browsers): a scan came in,
 * findings were assigned, an exemption was asked for or decided. The
 * message says only which entity and what kind of change; each tab then
 * reads what it may see through the routes as before. A failed push is
 * logged, never fails the change.
 */
export class EntitySignals {
  constructor(
    private readonly deps: { signals?: SignalsService; logger?: LoggerService },
  ) {}

  async changed(entityRefs: Iterable<string>, change: EntityChange) {
    const { signals, logger } = this.deps;
    if (!signals) return;
    for (const entityRef of new Set(entityRefs)) {
      try {
        await signals.publish({
          recipients: { type: 'broadcast' },
          channel: entitySignalChannel(entityRef),
          message: { entityRef, change },
        });
      } catch (error) {
        logger?.warn(`Could not signal a change of ${entityRef}: ${error}`);
      }
    }
  }
}
