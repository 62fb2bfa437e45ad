// @ts-check

/**
 * DORA delivery measures per entity, computed from GitHub on a schedule.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('sre_delivery', table => {
    table.comment('The latest DORA measures of each entity');
    table.string('entity_ref', 255).primary();
    table.string('signal', 16).notNullable();
    table.integer('period_days').notNullable();
    table.integer('deployments').notNullable();
    table.double('deployments_per_day').notNullable();
    table.double('lead_time_hours').nullable();
    table.double('change_failure_rate').nullable();
    table.double('time_to_restore_hours').nullable();
    table.integer('incidents').notNullable();
    table.string('computed_at', 32).nullable();
    table.text('last_error').nullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('sre_delivery');
};
