// @ts-check

/**
 * Actions that write, proposed by the assistant in an answer and done only
 * when the person who asked confirms them. A proposal belongs to the
 * conversation (and its person); deleting the conversation deletes them.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('assistant_proposals', table => {
    table.comment(
      'Actions that write, proposed by the assistant, done only when confirmed',
    );
    table.string('id', 36).primary();
    table
      .string('conversation_id', 36)
      .notNullable()
      .references('id')
      .inTable('assistant_conversations')
      .onDelete('CASCADE');
    table.string('message_id', 36).notNullable();
    table.string('user_ref', 255).notNullable();
    table.string('action_id', 255).notNullable().comment('The action id');
    table.string('tool', 255).notNullable().comment('plugin.action');
    table.string('title', 255).notNullable();
    table.text('input').notNullable().comment('JSON: the arguments');
    table
      .string('status', 16)
      .notNullable()
      .comment('pending, running, done, failed or cancelled');
    table.text('output').nullable().comment('JSON: what the action answered');
    table.text('error').nullable();
    table.string('created_at', 32).notNullable();
    table.string('decided_at', 32).nullable();
    table.index(['message_id']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('assistant_proposals');
};
