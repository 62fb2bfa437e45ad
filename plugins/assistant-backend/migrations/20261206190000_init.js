// @ts-check

/**
 * Each person's conversations with the assistant and their messages. A
 * conversation belongs to one user; deleting it deletes its messages.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('assistant_conversations', table => {
    table.comment('A conversation of one person with the assistant');
    table.string('id', 36).primary();
    table.string('user_ref', 255).notNullable();
    table.string('title', 200).notNullable();
    table.string('created_at', 32).notNullable();
    table.string('updated_at', 32).notNullable();
    table.index(['user_ref', 'updated_at']);
  });
  await knex.schema.createTable('assistant_messages', table => {
    table.comment('The questions and answers of a conversation, in order');
    table.string('id', 36).primary();
    table
      .string('conversation_id', 36)
      .notNullable()
      .references('id')
      .inTable('assistant_conversations')
      .onDelete('CASCADE');
    table.integer('seq').notNullable();
    table.string('role', 16).notNullable().comment('user or assistant');
    table.text('content').notNullable();
    table.text('citations').notNullable().comment('JSON: Citation[]');
    table.text('tool_calls').notNullable().comment('JSON: ToolCallRecord[]');
    table.string('stopped_because', 255).nullable();
    table.string('created_at', 32).notNullable();
    table.unique(['conversation_id', 'seq']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('assistant_messages');
  await knex.schema.dropTable('assistant_conversations');
};
