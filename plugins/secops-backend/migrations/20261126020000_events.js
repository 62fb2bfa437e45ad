// @ts-check

/**
 * An append-only log of what happened (findings created, reopened, fixed;
 * gate decisions; exemptions asked and decided), read by the SIEM export in
 * id order. Rows are small: the export joins the details at read time.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('secops_events', table => {
    table.comment('What happened, in order, for the SIEM export');
    table.bigIncrements('id').primary();
    table.string('kind', 16).notNullable().comment('finding, gate, exemption');
    table.string('action', 16).notNullable();
    table.string('entity_ref', 255).notNullable();
    table
      .string('ref_id', 64)
      .notNullable()
      .comment('id of the row it is about');
    table.string('actor', 255).notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('secops_events');
};
