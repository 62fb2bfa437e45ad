// @ts-check

/**
 * Scorecards: each check's result per entity and day (the latest
 * evaluation of the day wins), each entity's level and score per day, and
 * each group's roll-up per day, for history, trends and the leaderboard.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('secops_check_results', table => {
    table.comment('One check of one entity on one day');
    table.string('check_id', 64).notNullable();
    table.string('entity_ref', 255).notNullable();
    table.string('day', 10).notNullable().comment('YYYY-MM-DD, UTC');
    table.boolean('passed').notNullable();
    table.text('detail').notNullable();
    table.text('records').nullable().comment('JSON array of record ids');
    table.timestamp('evaluated_at', { useTz: true }).notNullable();
    table.primary(['entity_ref', 'day', 'check_id']);
    table.index(['check_id', 'day'], 'secops_check_results_check_idx');
  });
  await knex.schema.createTable('secops_scorecards', table => {
    table.comment('One entity’s level and score on one day');
    table.string('entity_ref', 255).notNullable();
    table.string('day', 10).notNullable();
    table
      .string('level', 16)
      .nullable()
      .comment('bronze, silver, gold or none');
    table.integer('passed').notNullable();
    table.integer('total').notNullable();
    table.float('score').notNullable().comment('0 to 100');
    table.timestamp('evaluated_at', { useTz: true }).notNullable();
    table.primary(['entity_ref', 'day']);
    table.index(['day'], 'secops_scorecards_day_idx');
  });
  await knex.schema.createTable('secops_group_scores', table => {
    table.comment('A group’s roll-up over what it and the groups below own');
    table.string('group_ref', 255).notNullable();
    table.string('day', 10).notNullable();
    table.string('group_type', 64).nullable();
    table.integer('entities').notNullable();
    table.float('score').notNullable();
    table.integer('gold').notNullable();
    table.integer('silver').notNullable();
    table.integer('bronze').notNullable();
    table.timestamp('evaluated_at', { useTz: true }).notNullable();
    table.primary(['group_ref', 'day']);
    table.index(['day', 'score'], 'secops_group_scores_day_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('secops_group_scores');
  await knex.schema.dropTable('secops_scorecards');
  await knex.schema.dropTable('secops_check_results');
};
