// Stock levels from the warehouses, every five minutes.
const INTERVAL_MS = 5 * 60 * 1000;

function merge(levels) {
  const total = new Map();
  for (const { sku, quantity } of levels) {
    total.set(sku, (total.get(sku) ?? 0) + quantity);
  }
  return total;
}

module.exports = { merge, INTERVAL_MS };
