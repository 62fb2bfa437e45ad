// @ts-check

/**
 * Gate policies as data owned by the security team: every change is a new
 * version (the whole list of policies), with who made it, when and why. The
 * latest version applies; without any, the configuration (secops.gates)
 * seeds them.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('secops_gate_policy_versions', table => {
    table.comment('Every version of the gate policies, the latest applies');
    table.integer('version').primary();
    table.text('policies').notNullable().comment('JSON: GatePolicy[]');
    table.string('changed_by', 255).notNullable();
    table.text('reason').notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('secops_gate_policy_versions');
};
