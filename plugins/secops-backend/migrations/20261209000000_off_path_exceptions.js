// @ts-check

/**
 * Off-path exceptions: a workload allowed off the golden path (not admitted
 * by the cluster's admission policy otherwise) in one namespace, for a
 * reason, until it expires. Its owners ask, the security team decides, as
 * for exemptions; approved and unexpired ones are rendered into the
 * admission policy's bindings.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('secops_off_path_exceptions', table => {
    table.comment('Workloads allowed off the golden path, until they expire');
    table.string('id', 36).primary();
    table.string('entity_ref', 255).notNullable();
    table.string('namespace', 63).notNullable().comment('Kubernetes namespace');
    table.string('workload', 253).notNullable().comment('Workload name');
    table.text('reason').notNullable();
    table.string('requested_by', 255).notNullable();
    table.timestamp('requested_at', { useTz: true }).notNullable();
    table.timestamp('expires_at', { useTz: true }).notNullable();
    table.string('status', 16).notNullable();
    table.string('decided_by', 255).nullable();
    table.timestamp('decided_at', { useTz: true }).nullable();
    table.text('decision_comment').nullable();
    table.index(['namespace', 'workload'], 'secops_off_path_workload_idx');
    table.index(['status', 'expires_at'], 'secops_off_path_status_idx');
    table.index(['requested_at', 'id'], 'secops_off_path_requested_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('secops_off_path_exceptions');
};
