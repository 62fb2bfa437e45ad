// @ts-check

/**
 * A department's group tab reads the cost of each of its few hundred
 * entities, and of each of its teams, over two periods, by the primary
 * keys of the daily roll-ups: (entity, day) and (group, day, service). On
 * PostgreSQL each of those rows was then read from the table, where one
 * entity's days lie on as many pages: about 8,000 pages for 200 entities,
 * and the department took 0.8x the time of the whole organisation
 * (bench:costs).
 *
 * On PostgreSQL those keys now carry the amount (INCLUDE), so the lookups
 * are answered from the index alone: the same number of indexes to keep at
 * import (the roll-ups are rewritten, not updated, so nothing is lost to
 * it), each a little wider. SQLite has no INCLUDE; its views already met
 * the goal, and an extra index there cost the import more than it saved
 * (20261203020000_lighter_entity_indexes).
 */
const KEYS = [
  ['finops_entity_daily', 'entity_ref, day'],
  ['finops_group_daily', 'group_ref, day, service'],
];

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  if (knex.client.config.client !== 'pg') return;
  for (const [table, key] of KEYS) {
    await knex.raw(
      `alter table ?? drop constraint ??,
         add constraint ?? primary key (${key}) include (amount)`,
      [table, `${table}_pkey`, `${table}_pkey`],
    );
  }
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  if (knex.client.config.client !== 'pg') return;
  for (const [table, key] of KEYS) {
    await knex.raw(
      `alter table ?? drop constraint ??, add constraint ?? primary key (${key})`,
      [table, `${table}_pkey`, `${table}_pkey`],
    );
  }
};
