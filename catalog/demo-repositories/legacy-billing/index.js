const http = require('node:http');

/** Totals an invoice's lines (amounts in cents). */
function invoiceTotal(lines) {
  return lines.reduce((sum, line) => sum + line.quantity * line.unitCents, 0);
}

if (require.main === module) {
  http
    .createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ service: 'legacy-billing' }));
    })
    .listen(Number(process.env.PORT ?? 3000));
}

module.exports = { invoiceTotal };
