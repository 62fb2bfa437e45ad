// @ts-check

/**
 * Every import rewrites the daily entity roll-up of its days, and each
 * index of the table is rewritten with it: the two indexes the group
 * roll-ups' migration added there cost a month's import more (about 0.5 s
 * of 2 s of its roll-up refresh on SQLite) than they saved the views.
 *
 * - the (entity, day, amount) indexes of the daily and weekly entity
 *   roll-ups go: a department's few hundred entities are looked up by the
 *   primary keys (entity, day) and (entity, week) as well, reading the
 *   amount from the row;
 * - the (estimated, day) index becomes partial, of the estimated rows only:
 *   the first estimated day is still one step, and the many rows that are
 *   not estimated cost it nothing.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('finops_entity_daily', table => {
    table.dropIndex(
      ['entity_ref', 'day', 'amount'],
      'finops_entity_daily_entity_idx',
    );
    table.dropIndex(['estimated', 'day'], 'finops_entity_daily_estimated_idx');
  });
  await knex.schema.alterTable('finops_entity_daily', table => {
    table.index(['estimated', 'day'], 'finops_entity_daily_estimated_idx', {
      predicate: knex.whereRaw('estimated = 1'),
    });
  });
  await knex.schema.alterTable('finops_entity_weekly', table => {
    table.dropIndex(
      ['entity_ref', 'week', 'amount'],
      'finops_entity_weekly_entity_idx',
    );
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('finops_entity_weekly', table => {
    table.index(
      ['entity_ref', 'week', 'amount'],
      'finops_entity_weekly_entity_idx',
    );
  });
  await knex.schema.alterTable('finops_entity_daily', table => {
    table.dropIndex(['estimated', 'day'], 'finops_entity_daily_estimated_idx');
  });
  await knex.schema.alterTable('finops_entity_daily', table => {
    table.index(['estimated', 'day'], 'finops_entity_daily_estimated_idx');
    table.index(
      ['entity_ref', 'day', 'amount'],
      'finops_entity_daily_entity_idx',
    );
  });
};
