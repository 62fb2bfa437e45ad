// @ts-check

/**
 * Roll-ups kept next to the cost lines, so that the views read thousands of
 * rows instead of millions: by entity and day (and month), and by owner,
 * service and day (and month). Owner roll-ups follow the catalog's
 * ownership, which finops_entity_owners holds as last seen.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('finops_entity_daily', table => {
    table.comment('Daily cost of each entity ("" for lines without one)');
    table.string('entity_ref', 255).notNullable();
    table.string('day', 10).notNullable();
    table.double('amount').notNullable();
    table.integer('estimated').notNullable().comment('1 when estimated');
    table.primary(['entity_ref', 'day']);
    table.index(['day', 'entity_ref', 'amount'], 'finops_entity_daily_day_idx');
  });
  await knex.schema.createTable('finops_entity_monthly', table => {
    table.comment('Monthly cost of each entity');
    table.string('entity_ref', 255).notNullable();
    table.string('month', 7).notNullable();
    table.double('amount').notNullable();
    table.primary(['entity_ref', 'month']);
    table.index(['month'], 'finops_entity_monthly_month_idx');
  });
  await knex.schema.createTable('finops_owner_daily', table => {
    table.comment('Daily cost by owner and service ("" = no known owner)');
    table.string('owner_ref', 255).notNullable();
    table.string('day', 10).notNullable();
    table.string('service', 255).notNullable();
    table.double('amount').notNullable();
    table.primary(['owner_ref', 'day', 'service']);
    table.index(['day'], 'finops_owner_daily_day_idx');
  });
  await knex.schema.createTable('finops_owner_monthly', table => {
    table.comment('Monthly cost by owner and service');
    table.string('owner_ref', 255).notNullable();
    table.string('month', 7).notNullable();
    table.string('service', 255).notNullable();
    table.double('amount').notNullable();
    table.primary(['owner_ref', 'month', 'service']);
  });
  await knex.schema.createTable('finops_entity_owners', table => {
    table.comment('Ownership as the owner roll-ups were built with');
    table.string('entity_ref', 255).primary();
    table.string('owner_ref', 255).notNullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('finops_entity_owners');
  await knex.schema.dropTable('finops_owner_monthly');
  await knex.schema.dropTable('finops_owner_daily');
  await knex.schema.dropTable('finops_entity_monthly');
  await knex.schema.dropTable('finops_entity_daily');
};
