// @ts-check

/**
 * Purchase recommendations (Reserved Instances, Savings Plans) as each
 * pulled source last reported them.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('finops_recommendations', table => {
    table.comment('Purchase recommendations of the pulled sources');
    table.bigIncrements('id').primary();
    table.string('source', 100).notNullable();
    table.string('kind', 32).notNullable();
    table.text('description').notNullable();
    table.string('service', 255).notNullable();
    table.string('term', 32).notNullable();
    table.string('payment_option', 32).notNullable();
    table.double('monthly_savings').notNullable();
    table.double('upfront_cost').notNullable();
    table.string('currency', 3).notNullable();
    table.timestamp('fetched_at', { useTz: true }).notNullable();
    table.index(['source'], 'finops_recommendations_source_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('finops_recommendations');
};
