// @ts-check

/**
 * Where each SIEM webhook is in the event log, and its retry state.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('secops_webhook_deliveries', table => {
    table.comment('Progress and retries of each SIEM webhook');
    table.string('name', 100).primary();
    table.bigInteger('cursor').notNullable().defaultTo(0);
    table.integer('attempts').notNullable().defaultTo(0);
    table.timestamp('next_attempt_at', { useTz: true }).nullable();
    table.text('last_error').nullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('secops_webhook_deliveries');
};
