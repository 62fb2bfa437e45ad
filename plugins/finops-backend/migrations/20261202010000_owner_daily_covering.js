// @ts-check

/**
 * Every group cost view sums all owners' cost over its period (shared
 * costs are split in proportion to it): by day, reading owner and amount.
 * An index of day, owner and amount answers that from the index alone, as
 * finops_entity_daily_day_idx does for entities; with only day indexed,
 * each view read tens of thousands of table rows in a large organisation.
 * It replaces the day-only index, whose queries it serves as well.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('finops_owner_daily', table => {
    table.index(['day', 'owner_ref', 'amount'], 'finops_owner_daily_cover_idx');
  });
  await knex.schema.alterTable('finops_owner_daily', table => {
    table.dropIndex(['day'], 'finops_owner_daily_day_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('finops_owner_daily', table => {
    table.index(['day'], 'finops_owner_daily_day_idx');
  });
  await knex.schema.alterTable('finops_owner_daily', table => {
    table.dropIndex(
      ['day', 'owner_ref', 'amount'],
      'finops_owner_daily_cover_idx',
    );
  });
};
