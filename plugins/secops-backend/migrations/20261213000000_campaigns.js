// @ts-check

/**
 * Campaigns: a target the security or platform team sets for a set of
 * services (every production service at silver by 2027-03-31). Progress is
 * read from the scorecards; the owners are told when it starts.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('secops_campaigns', table => {
    table.comment('A scorecard target for a set of services, with a due date');
    table.string('id', 36).primary();
    table.text('title').notNullable();
    table.string('target_level', 16).notNullable();
    table
      .text('match')
      .notNullable()
      .comment('JSON: kind, type, lifecycle, tags, system');
    table.string('due_date', 10).notNullable().comment('YYYY-MM-DD');
    table.string('created_by', 255).notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.index(['due_date'], 'secops_campaigns_due_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('secops_campaigns');
};
