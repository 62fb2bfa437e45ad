// @ts-check

/**
 * Who works on an open finding: the person it is assigned to (a member of
 * the team that owns its entity), who assigned it and when. The owner is
 * not stored: it is the entity's owner in the catalog.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('secops_findings', table => {
    table
      .string('assignee', 255)
      .nullable()
      .comment('The user entity ref the finding is assigned to, lower case');
    table.string('assigned_by', 255).nullable();
    table.timestamp('assigned_at', { useTz: true }).nullable();
    table.index(['assignee', 'status'], 'secops_findings_assignee_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('secops_findings', table => {
    table.dropIndex(['assignee', 'status'], 'secops_findings_assignee_idx');
    table.dropColumn('assigned_at');
    table.dropColumn('assigned_by');
    table.dropColumn('assignee');
  });
};
