/*
 * GitHub issues opened for findings (secops_tickets) and the findings each
 * covers (secops_ticket_links). A ticket's state is GitHub's; it never
 * changes a finding's status.
 */
import { FindingTicket } from '@portal/plugin-secops-common';
import { Knex } from 'knex';
import {
  FINDINGS,
  ID_CHUNK,
  inChunks,
  Timestamp,
  TICKET_LINKS,
  TICKETS,
  toDate,
} from './tables';
import { StoredFinding } from './types';

type TicketRow = {
  id: number | string;
  repository: string;
  rule_id: string;
  issue_number: number;
  issue_url: string;
  title: string;
  state: string;
  closed_at: Timestamp | null;
  state_checked_at: Timestamp;
  created_by: string;
  created_at: Timestamp;
};

/** A stored ticket, with its id. */
export interface StoredTicket extends FindingTicket {
  id: string;
  ruleId: string;
}

function toTicket(row: TicketRow): StoredTicket {
  return {
    id: String(row.id),
    ruleId: row.rule_id,
    repository: row.repository,
    number: Number(row.issue_number),
    url: row.issue_url,
    title: row.title,
    state: row.state as FindingTicket['state'],
    closedAt: row.closed_at ? toDate(row.closed_at).toISOString() : undefined,
    checkedAt: toDate(row.state_checked_at).toISOString(),
  };
}

/** A stored ticket as findings and answers show it (without its own ids). */
export function asFindingTicket(stored: StoredTicket): FindingTicket {
  const { id: _id, ruleId: _rule, ...ticket } = stored;
  return ticket;
}

export class TicketStore {
  constructor(private readonly knex: Knex) {}

  /** The open ticket of an advisory in a repository, if there is one. */
  async openTicket(
    repository: string,
    ruleId: string,
  ): Promise<StoredTicket | undefined> {
    const row = await this.knex<TicketRow>(TICKETS)
      .where({ repository, rule_id: ruleId, state: 'open' })
      .orderBy('id', 'desc')
      .first();
    return row ? toTicket(row) : undefined;
  }

  /**
   * Stores a new ticket and links it to the findings, in one transaction.
   * The issue exists on GitHub already: a failure here leaves an issue
   * without its links, which the next request for the same advisory finds
   * by its number and links (see link).
   */
  async create(
    ticket: {
      repository: string;
      ruleId: string;
      number: number;
      url: string;
      title: string;
      state: FindingTicket['state'];
      createdBy: string;
    },
    findingIds: string[],
    now: Date,
  ): Promise<StoredTicket> {
    return this.knex.transaction(async tx => {
      const row = {
        repository: ticket.repository,
        rule_id: ticket.ruleId,
        issue_number: ticket.number,
        issue_url: ticket.url,
        title: ticket.title,
        state: ticket.state,
        closed_at: null,
        state_checked_at: now,
        created_by: ticket.createdBy,
        created_at: now,
      };
      const [inserted] = await tx(TICKETS).insert(row, ['id']);
      const id = String(typeof inserted === 'object' ? inserted.id : inserted);
      await this.linkIn(tx, id, findingIds);
      return toTicket({ ...row, id } as TicketRow);
    });
  }

  /** Links findings to a ticket; the ids of those not linked before. */
  async link(ticketId: string, findingIds: string[]): Promise<string[]> {
    return this.knex.transaction(tx => this.linkIn(tx, ticketId, findingIds));
  }

  private async linkIn(
    tx: Knex,
    ticketId: string,
    findingIds: string[],
  ): Promise<string[]> {
    const linked = new Set<string>();
    await inChunks(findingIds, ID_CHUNK, async chunk => {
      const rows: Array<{ finding_id: number | string }> = await tx(
        TICKET_LINKS,
      )
        .where('ticket_id', Number(ticketId))
        .whereIn('finding_id', chunk.map(Number))
        .select('finding_id');
      rows.forEach(r => linked.add(String(r.finding_id)));
    });
    const added = findingIds.filter(id => !linked.has(id));
    await inChunks(added, ID_CHUNK, chunk =>
      tx(TICKET_LINKS).insert(
        chunk.map(id => ({
          ticket_id: Number(ticketId),
          finding_id: Number(id),
        })),
      ),
    );
    return added;
  }

  /** Open tickets checked longest ago first, at most `limit`. */
  async stalest(limit: number): Promise<StoredTicket[]> {
    const rows: TicketRow[] = await this.knex(TICKETS)
      .where('state', 'open')
      .orderBy([
        { column: 'state_checked_at', order: 'asc' },
        { column: 'id', order: 'asc' },
      ])
      .limit(limit);
    return rows.map(toTicket);
  }

  /** Records what GitHub says of a ticket now. */
  async setState(
    id: string,
    state: FindingTicket['state'],
    closedAt: Date | undefined,
    checkedAt: Date,
  ): Promise<void> {
    await this.knex(TICKETS)
      .where('id', Number(id))
      .update({
        state,
        closed_at: closedAt ?? null,
        state_checked_at: checkedAt,
      });
  }

  /** The entity refs of the findings a ticket covers (for their tabs). */
  async entitiesOf(ticketId: string): Promise<string[]> {
    const rows: Array<{ entity_ref: string }> = await this.knex(
      `${TICKET_LINKS} as l`,
    )
      .join(`${FINDINGS} as f`, 'f.id', 'l.finding_id')
      .where('l.ticket_id', Number(ticketId))
      .distinct('f.entity_ref');
    return rows.map(r => r.entity_ref);
  }
}

/**
 * Puts each finding's latest ticket on it (a page of a list, as
 * markExemptions does).
 */
export async function markTickets(knex: Knex, findings: StoredFinding[]) {
  if (!findings.length) return;
  const byFinding = new Map(findings.map(f => [f.id, f]));
  const rows: Array<TicketRow & { finding_id: number | string }> = await knex(
    `${TICKET_LINKS} as l`,
  )
    .join(`${TICKETS} as t`, 't.id', 'l.ticket_id')
    .whereIn(
      'l.finding_id',
      findings.map(f => Number(f.id)),
    )
    .orderBy('t.id', 'asc')
    .select('t.*', 'l.finding_id');
  for (const row of rows) {
    // The latest wins (rows come oldest first).
    byFinding.get(String(row.finding_id))!.ticket = asFindingTicket(
      toTicket(row),
    );
  }
}
