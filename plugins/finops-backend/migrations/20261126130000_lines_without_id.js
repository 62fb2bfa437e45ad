// @ts-check

/**
 * Cost lines need no id: nothing refers to a line, and on PostgreSQL the
 * serial key is one more index to keep up on every import. (On SQLite the
 * id is the rowid, which costs nothing, so it stays.)
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  if (knex.client.config.client === 'pg') {
    await knex.schema.alterTable('finops_cost_lines', table => {
      table.dropColumn('id');
    });
  }
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  if (knex.client.config.client === 'pg') {
    await knex.schema.alterTable('finops_cost_lines', table => {
      table.bigIncrements('id').primary();
    });
  }
};
