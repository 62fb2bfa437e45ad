// @ts-check

/**
 * Cost lines at the grain of (source, day, tag value, service, account,
 * charge category): sources sum their raw lines to it, and every import
 * replaces a source's days in one transaction, so importing the same data
 * twice changes nothing.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('finops_cost_lines', table => {
    table.comment('Daily cost of one tag value, service and account');
    table.bigIncrements('id').primary();
    table.string('source', 100).notNullable();
    table.string('day', 10).notNullable().comment('YYYY-MM-DD, UTC');
    table
      .string('tag_value', 255)
      .notNullable()
      .comment('The cost-allocation tag, empty when untagged');
    table
      .string('entity_ref', 255)
      .nullable()
      .comment('The tag value as an entity ref, when it is one');
    table.string('service', 255).notNullable();
    table.string('account', 255).notNullable();
    table.string('charge_category', 32).notNullable();
    table.double('amount').notNullable();
    table.string('currency', 3).notNullable();
    table.boolean('estimated').notNullable();
    table.index(['source', 'day'], 'finops_cost_lines_source_idx');
    table.index(['entity_ref', 'day'], 'finops_cost_lines_entity_idx');
    table.index(['day'], 'finops_cost_lines_day_idx');
  });

  await knex.schema.createTable('finops_imports', table => {
    table.comment('Every import: a FOCUS file or a source refresh');
    table.string('id', 36).primary();
    table.string('source', 100).notNullable();
    table.string('status', 16).notNullable();
    table.timestamp('started_at', { useTz: true }).notNullable();
    table.timestamp('finished_at', { useTz: true }).notNullable();
    table.integer('rows_read').notNullable();
    table.integer('rows_stored').notNullable();
    table.string('day_from', 10).nullable();
    table.string('day_to', 10).nullable();
    table.integer('api_calls').nullable();
    table.text('error').nullable();
    table.string('requested_by', 255).nullable();
    table.index(['source', 'finished_at'], 'finops_imports_source_idx');
  });

  await knex.schema.createTable('finops_source_days', table => {
    table.comment('Which days a pulled source has, so it never asks twice');
    table.string('source', 100).notNullable();
    table.string('day', 10).notNullable();
    table.boolean('estimated').notNullable();
    table.timestamp('fetched_at', { useTz: true }).notNullable();
    table.primary(['source', 'day']);
  });

  await knex.schema.createTable('finops_budgets', table => {
    table.comment('Monthly budget of a group');
    table.string('group_ref', 255).primary();
    table.double('monthly_amount').notNullable();
    table.string('currency', 3).notNullable();
    table.string('updated_by', 255).notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
  });

  await knex.schema.createTable('finops_alerts', table => {
    table.comment('Anomalies and budget overruns, each sent once');
    table.string('id', 36).primary();
    table.string('kind', 16).notNullable();
    table.string('ref', 255).notNullable();
    table.string('owner_ref', 255).notNullable();
    table.string('day', 10).notNullable();
    table.double('amount').notNullable();
    table.double('expected').notNullable();
    table.text('message').notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.unique(['kind', 'ref', 'day'], {
      indexName: 'finops_alerts_identity_idx',
    });
    table.index(['owner_ref', 'day'], 'finops_alerts_owner_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('finops_alerts');
  await knex.schema.dropTable('finops_budgets');
  await knex.schema.dropTable('finops_source_days');
  await knex.schema.dropTable('finops_imports');
  await knex.schema.dropTable('finops_cost_lines');
};
