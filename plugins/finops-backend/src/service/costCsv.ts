import { OrganisationCost } from '@portal/plugin-finops-common';

/** A cell of the export, quoted, and kept from running as a formula. */
function cell(value: string | number) {
  const text = String(value);
  // Quote, and keep spreadsheets from running a formula.
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/**
 * The finance page as CSV: a header of months, then a line per department,
 * per product and the unattributed spend.
 */
export function organisationCsv(org: OrganisationCost): string {
  const lines = [
    ['view', 'ref', 'title', ...org.months].map(cell).join(','),
    ...org.byDepartment.map(s =>
      ['department', s.ref, s.title ?? '', ...s.amounts].map(cell).join(','),
    ),
    ...org.byProduct.map(s =>
      ['product', s.ref, s.title ?? '', ...s.amounts].map(cell).join(','),
    ),
    ['unattributed', '', 'Unattributed spend', ...org.unattributed]
      .map(cell)
      .join(','),
  ];
  return `${lines.join('\n')}\n`;
}
