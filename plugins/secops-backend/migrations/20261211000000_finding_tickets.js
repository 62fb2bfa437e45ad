// @ts-check

/**
 * GitHub issues opened for findings: one issue per advisory (rule id) per
 * repository while it is open, linked to each finding it covers. The state
 * is GitHub's, read back on a schedule; it never changes a finding's own
 * status (only a scan does).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('secops_tickets', table => {
    table.comment('A GitHub issue opened for findings of one advisory');
    table.bigIncrements('id').primary();
    table.string('repository', 255).notNullable().comment('owner/name');
    table.string('rule_id', 255).notNullable();
    table.integer('issue_number').notNullable();
    table.text('issue_url').notNullable();
    table.text('title').notNullable();
    table.string('state', 16).notNullable().comment('open or closed');
    table.timestamp('closed_at', { useTz: true }).nullable();
    table.timestamp('state_checked_at', { useTz: true }).notNullable();
    table.string('created_by', 255).notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.unique(['repository', 'issue_number'], {
      indexName: 'secops_tickets_issue_idx',
    });
    table.index(['repository', 'rule_id', 'state'], 'secops_tickets_rule_idx');
    table.index(['state', 'state_checked_at'], 'secops_tickets_state_idx');
  });
  await knex.schema.createTable('secops_ticket_links', table => {
    table.comment('Which findings a ticket covers');
    table
      .bigInteger('ticket_id')
      .notNullable()
      .references('id')
      .inTable('secops_tickets')
      .onDelete('CASCADE');
    table.bigInteger('finding_id').notNullable();
    table.primary(['finding_id', 'ticket_id']);
    table.index(['ticket_id'], 'secops_ticket_links_ticket_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('secops_ticket_links');
  await knex.schema.dropTable('secops_tickets');
};
