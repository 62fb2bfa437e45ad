// @ts-check

/**
 * Findings are keyed by (entity, tool, fingerprint): the same problem found
 * again by the same tool for the same entity is the same row. Scans record
 * every upload.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('secops_scans', table => {
    table.comment('One uploaded report');
    table.string('id', 36).primary();
    table.string('entity_ref', 255).notNullable();
    table.string('tool', 100).notNullable();
    table.string('format', 32).notNullable();
    table.string('commit_sha', 64).nullable();
    table.string('branch', 255).nullable();
    table.string('uploaded_by', 255).notNullable();
    table.string('report_sha256', 64).notNullable();
    table.integer('received').notNullable();
    table.integer('created').notNullable();
    table.integer('reopened').notNullable();
    table.integer('unchanged').notNullable();
    table.integer('fixed').notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.index(['entity_ref', 'created_at'], 'secops_scans_entity_idx');
  });

  await knex.schema.createTable('secops_findings', table => {
    table.comment('One normalised finding of one entity and tool');
    table.bigIncrements('id').primary();
    table.string('entity_ref', 255).notNullable();
    table.string('tool', 100).notNullable();
    table.string('fingerprint', 128).notNullable();
    table.string('category', 16).notNullable();
    table.string('severity', 16).notNullable();
    table
      .integer('severity_rank')
      .notNullable()
      .comment('0 critical … 4 info, for ordering worst first');
    table.string('rule_id', 255).notNullable();
    table.text('title').notNullable();
    table.text('description').nullable();
    table.text('aliases').nullable().comment('JSON array of advisory ids');
    table.float('cvss_score').nullable();
    table.string('package_name', 255).nullable();
    table.string('package_version', 255).nullable();
    table.string('fixed_version', 255).nullable();
    table.text('location_path').nullable();
    table.integer('location_line').nullable();
    table.text('url').nullable();
    table.text('help_url').nullable();
    table.string('status', 16).notNullable();
    table.timestamp('first_seen_at', { useTz: true }).notNullable();
    table.timestamp('last_seen_at', { useTz: true }).notNullable();
    table.timestamp('fixed_at', { useTz: true }).nullable();
    table.string('last_scan_id', 36).notNullable();
    table.unique(['entity_ref', 'tool', 'fingerprint'], {
      indexName: 'secops_findings_identity_idx',
    });
    table.index(
      ['entity_ref', 'status', 'severity_rank'],
      'secops_findings_entity_status_idx',
    );
    table.index(['rule_id'], 'secops_findings_rule_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('secops_findings');
  await knex.schema.dropTable('secops_scans');
};
