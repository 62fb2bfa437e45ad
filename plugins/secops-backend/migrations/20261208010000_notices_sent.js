// @ts-check

/**
 * Which notices of the SLA have been sent (one key per finding and notice,
 * such as sla-near:42), so that each is sent once; and an index for the
 * sweep that finds open findings nearing or past their due date.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('secops_notices_sent', table => {
    table.comment('Notices sent once: SLA nearing and passed, per finding');
    table.string('key', 200).primary();
    table.timestamp('sent_at', { useTz: true }).notNullable();
  });
  await knex.schema.alterTable('secops_findings', table => {
    table.index(
      ['status', 'severity', 'first_seen_at'],
      'secops_findings_due_idx',
    );
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('secops_findings', table => {
    table.dropIndex(
      ['status', 'severity', 'first_seen_at'],
      'secops_findings_due_idx',
    );
  });
  await knex.schema.dropTable('secops_notices_sent');
};
