// @ts-check

/**
 * Gate decisions (every answer given to CI) and exemptions (an accepted risk
 * on one finding, with a justification and an expiry).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('secops_gate_decisions', table => {
    table.comment('Every gate decision given, for audit and the UI');
    table.string('id', 36).primary();
    table.string('entity_ref', 255).notNullable();
    table.string('gate', 100).notNullable();
    table.boolean('passed').notNullable();
    table.text('reasons').notNullable().comment('JSON array');
    table.string('commit_sha', 64).nullable();
    table.string('branch', 255).nullable();
    table.string('requested_by', 255).notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.index(['entity_ref', 'created_at'], 'secops_gate_entity_idx');
  });

  await knex.schema.createTable('secops_exemptions', table => {
    table.comment('Accepted risk on one finding, until it expires');
    table.string('id', 36).primary();
    table
      .bigInteger('finding_id')
      .unsigned()
      .notNullable()
      .references('id')
      .inTable('secops_findings')
      .onDelete('CASCADE');
    table.string('entity_ref', 255).notNullable();
    table.text('justification').notNullable();
    table.string('requested_by', 255).notNullable();
    table.timestamp('requested_at', { useTz: true }).notNullable();
    table.timestamp('expires_at', { useTz: true }).notNullable();
    table.string('status', 16).notNullable();
    table.string('decided_by', 255).nullable();
    table.timestamp('decided_at', { useTz: true }).nullable();
    table.text('decision_comment').nullable();
    table.index(['finding_id', 'status'], 'secops_exemptions_finding_idx');
    table.index(['entity_ref', 'requested_at'], 'secops_exemptions_entity_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('secops_exemptions');
  await knex.schema.dropTable('secops_gate_decisions');
};
