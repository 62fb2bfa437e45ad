const test = require('node:test');
const assert = require('node:assert/strict');
const { invoiceTotal } = require('../index');

test('totals the lines of an invoice', () => {
  assert.equal(
    invoiceTotal([
      { quantity: 2, unitCents: 1250 },
      { quantity: 1, unitCents: 99 },
    ]),
    2599,
  );
});
