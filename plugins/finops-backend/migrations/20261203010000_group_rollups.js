// @ts-check

/**
 * Group roll-ups, kept at import and at each catalog sync: a group tab
 * read every owner of its subtree from the owner roll-ups (at the top of
 * the tree, every owner's rows of the period, several times), where it
 * now reads its own rows, one per day and service.
 *
 * - finops_group_owners: each group of the catalog's tree with every group
 *   of its subtree (itself included), as the roll-ups were built with;
 * - finops_group_daily and finops_group_monthly: the owner roll-ups summed
 *   over each group's subtree.
 *
 * A weekly entity roll-up (weeks named by their Monday): a period's cost
 * by entity reads its whole weeks there and only the days around them from
 * the daily one, about a third of the rows for 30 days; filled here from
 * the daily roll-up.
 *
 * Two indexes of the daily entity roll-up: by (estimated, day), since
 * every view asks for the first estimated day of its period, which read
 * every row of the period (the day index has no estimated column; estimated
 * days are few and recent, so the index answers it in one step); and by
 * (entity, day, amount), as the weekly one has, so that the cost of a few
 * hundred entities (a department) is read from the index alone, entity by
 * entity, rather than from the table or the whole period's rows.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('finops_group_owners', table => {
    table.comment('Each group with the owners of its subtree (itself too)');
    table.string('group_ref', 255).notNullable();
    table.string('owner_ref', 255).notNullable();
    table.primary(['group_ref', 'owner_ref']);
    table.index(['owner_ref'], 'finops_group_owners_owner_idx');
  });
  await knex.schema.createTable('finops_group_daily', table => {
    table.comment('Daily cost by group (the owners below it) and service');
    table.string('group_ref', 255).notNullable();
    table.string('day', 10).notNullable();
    table.string('service', 255).notNullable();
    table.double('amount').notNullable();
    table.primary(['group_ref', 'day', 'service']);
    table.index(['day'], 'finops_group_daily_day_idx');
  });
  await knex.schema.createTable('finops_group_monthly', table => {
    table.comment('Monthly cost by group (the owners below it) and service');
    table.string('group_ref', 255).notNullable();
    table.string('month', 7).notNullable();
    table.string('service', 255).notNullable();
    table.double('amount').notNullable();
    table.primary(['group_ref', 'month', 'service']);
  });
  await knex.schema.createTable('finops_entity_weekly', table => {
    table.comment('Weekly cost of each entity (week: its Monday)');
    table.string('entity_ref', 255).notNullable();
    table.string('week', 10).notNullable();
    table.double('amount').notNullable();
    table.primary(['entity_ref', 'week']);
    table.index(
      ['week', 'entity_ref', 'amount'],
      'finops_entity_weekly_week_idx',
    );
    table.index(
      ['entity_ref', 'week', 'amount'],
      'finops_entity_weekly_entity_idx',
    );
  });
  const monday =
    knex.client.config.client === 'pg'
      ? "to_char(date_trunc('week', day::date), 'YYYY-MM-DD')"
      : "date(day, 'weekday 0', '-6 days')";
  await knex.raw(
    `insert into finops_entity_weekly (entity_ref, week, amount)
     select entity_ref, ${monday}, sum(amount) from finops_entity_daily
     group by entity_ref, ${monday}`,
  );
  await knex.schema.alterTable('finops_entity_daily', table => {
    table.index(['estimated', 'day'], 'finops_entity_daily_estimated_idx');
    table.index(
      ['entity_ref', 'day', 'amount'],
      'finops_entity_daily_entity_idx',
    );
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('finops_entity_daily', table => {
    table.dropIndex(['estimated', 'day'], 'finops_entity_daily_estimated_idx');
    table.dropIndex(
      ['entity_ref', 'day', 'amount'],
      'finops_entity_daily_entity_idx',
    );
  });
  await knex.schema.dropTable('finops_entity_weekly');
  await knex.schema.dropTable('finops_group_monthly');
  await knex.schema.dropTable('finops_group_daily');
  await knex.schema.dropTable('finops_group_owners');
};
