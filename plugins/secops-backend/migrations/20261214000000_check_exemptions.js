// @ts-check

/**
 * Exemptions from a scorecard check for one entity: a team asks, with a
 * reason and an end; someone else of the security team decides. While
 * approved and unexpired, the check counts as passed, saying so.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('secops_check_exemptions', table => {
    table.comment('An exemption of one entity from one scorecard check');
    table.string('id', 36).primary();
    table.string('check_id', 64).notNullable();
    table.string('entity_ref', 255).notNullable();
    table.text('justification').notNullable();
    table.string('requested_by', 255).notNullable();
    table.timestamp('requested_at', { useTz: true }).notNullable();
    table.timestamp('expires_at', { useTz: true }).notNullable();
    table
      .string('status', 16)
      .notNullable()
      .comment('pending, approved or rejected');
    table.string('decided_by', 255).nullable();
    table.timestamp('decided_at', { useTz: true }).nullable();
    table.text('comment').nullable();
    table.index(
      ['entity_ref', 'check_id'],
      'secops_check_exemptions_entity_idx',
    );
    table.index(['status', 'expires_at'], 'secops_check_exemptions_status_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('secops_check_exemptions');
};
