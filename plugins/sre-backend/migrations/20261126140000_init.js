// @ts-check

/**
 * SLO definitions read from the catalog, their latest evaluation (kept when
 * a later one fails, so the views show the last known values and the
 * error), their history, and alerts from Alertmanager.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('sre_slos', table => {
    table.comment('SLOs declared by catalog entities (OpenSLO v1)');
    table
      .string('id', 64)
      .primary()
      .comment('sha256 of entity ref and SLO name');
    table.string('entity_ref', 255).notNullable();
    table.string('name', 255).notNullable();
    table.string('display_name', 255).notNullable();
    table.text('description').nullable();
    table.double('target').notNullable();
    table.string('time_window', 16).notNullable();
    table.string('source_type', 64).notNullable();
    table.text('good_query').notNullable();
    table.text('total_query').notNullable();
    table.string('updated_at', 32).notNullable();
    table.unique(['entity_ref', 'name']);
    table.index('entity_ref');
  });
  await knex.schema.createTable('sre_slo_state', table => {
    table.comment('The latest evaluation of each SLO');
    table
      .string('slo_id', 64)
      .primary()
      .references('id')
      .inTable('sre_slos')
      .onDelete('CASCADE');
    table.double('sli').nullable();
    table.double('budget_remaining').nullable();
    table.text('burn_rates').notNullable().comment('JSON: window -> rate');
    table.string('status', 16).notNullable();
    table.integer('status_rank').notNullable().comment('0 = worst');
    table.string('evaluated_at', 32).nullable();
    table.text('last_error').nullable();
    table.string('last_error_at', 32).nullable();
    table.index(['status_rank', 'budget_remaining']);
  });
  await knex.schema.createTable('sre_slo_history', table => {
    table.comment('One row per SLO evaluation that worked');
    table
      .string('slo_id', 64)
      .notNullable()
      .references('id')
      .inTable('sre_slos')
      .onDelete('CASCADE');
    table.string('at', 32).notNullable();
    table.double('sli').nullable();
    table.double('budget_remaining').nullable();
    table.double('burn_1h').nullable();
    table.double('burn_6h').nullable();
    table.string('status', 16).notNullable();
    table.primary(['slo_id', 'at']);
  });
  await knex.schema.createTable('sre_alerts', table => {
    table.comment('Alerts from Alertmanager, on the entity they label');
    table.string('id', 64).primary().comment('sha256 of fingerprint and start');
    table.string('entity_ref', 255).notNullable();
    table.string('alert_name', 255).notNullable();
    table.string('status', 16).notNullable();
    table.string('severity', 64).nullable();
    table.text('summary').nullable();
    table.string('starts_at', 32).notNullable();
    table.string('ends_at', 32).nullable();
    table.text('generator_url').nullable();
    table.string('received_at', 32).notNullable();
    table.index(['entity_ref', 'starts_at']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('sre_alerts');
  await knex.schema.dropTable('sre_slo_history');
  await knex.schema.dropTable('sre_slo_state');
  await knex.schema.dropTable('sre_slos');
};
