// @ts-check

/**
 * The trend of an entity or a group reads the events of its entities: by
 * entity_ref, which had no index, so every trend read the whole event log
 * (two events per finding: millions in a large organisation).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('secops_events', table => {
    table.index(['entity_ref', 'kind'], 'secops_events_entity_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('secops_events', table => {
    table.dropIndex(['entity_ref', 'kind'], 'secops_events_entity_idx');
  });
};
