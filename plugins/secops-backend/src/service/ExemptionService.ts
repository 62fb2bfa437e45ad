import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import { Exemption, Page } from '@portal/plugin-secops-common';
import { ExemptionStore, StoredFinding } from '../database/types';

/** The longest an exemption may last. */
const MAX_EXEMPTION_DAYS = 365;
const DAY_MS = 86400000;

/**
 * Refuses (InputError) an end that is not in the future, or more than
 * `maxDays` after `now`; `what` names what would last so long.
 */
export function requireEndWithin(
  expiresAt: Date,
  now: Date,
  maxDays: number,
  what: string,
) {
  if (expiresAt.getTime() <= now.getTime()) {
    throw new InputError('expiresAt must be in the future');
  }
  if (expiresAt.getTime() > now.getTime() + maxDays * DAY_MS) {
    throw new InputError(`${what} lasts at most ${maxDays} days`);
  }
}

/**
 * Exemptions from the gate, one finding each: a team asks, with a reason and
 * an end within MAX_EXEMPTION_DAYS; someone else of the security team
 * decides. Callers authorize first (asking for one needs the exemption
 * request permission on the finding's entity, deciding the security team's).
 */
export class ExemptionService {
  constructor(private readonly exemptions: ExemptionStore) {}

  /**
   * Asks for an exemption of an open finding until `expiresAt`, which must
   * be in the future and at most MAX_EXEMPTION_DAYS away (InputError
   * otherwise); ConflictError when the finding already has a pending or
   * active one.
   */
  async request(
    finding: StoredFinding,
    request: { justification: string; expiresAt: Date; requestedBy: string },
  ): Promise<Exemption> {
    const now = new Date();
    requireEndWithin(
      request.expiresAt,
      now,
      MAX_EXEMPTION_DAYS,
      'An exemption',
    );
    if (finding.status !== 'open') {
      throw new InputError('Only open findings can be exempted');
    }
    return this.exemptions.createExemption(
      {
        findingId: finding.id,
        entityRef: finding.entityRef,
        justification: request.justification,
        requestedBy: request.requestedBy,
        expiresAt: request.expiresAt,
      },
      now,
    );
  }

  /**
   * Approves or rejects a pending exemption. Separation of duties: nobody
   * decides their own request (NotAllowedError). NotFoundError when there
   * is no such exemption, ConflictError when it was already decided.
   */
  async decide(
    id: string,
    decision: {
      decision: 'approve' | 'reject';
      decidedBy: string;
      comment?: string;
    },
  ): Promise<Exemption> {
    const requested = await this.exemptions.getExemption(id, new Date());
    if (!requested) {
      throw new NotFoundError(`There is no exemption ${id}`);
    }
    if (
      requested.requestedBy.toLowerCase() === decision.decidedBy.toLowerCase()
    ) {
      throw new NotAllowedError(
        'You asked for this exemption: someone else in the security team must decide it',
      );
    }
    return this.exemptions.decideExemption(
      id,
      {
        status: decision.decision === 'approve' ? 'approved' : 'rejected',
        decidedBy: decision.decidedBy,
        comment: decision.comment,
      },
      new Date(),
    );
  }

  /** An entity's exemptions, the latest requested first. */
  async list(
    entityRef: string,
    page: { limit: number; cursor?: string },
  ): Promise<Page<Exemption>> {
    return this.exemptions.listExemptions(entityRef, {
      ...page,
      now: new Date(),
    });
  }
}
