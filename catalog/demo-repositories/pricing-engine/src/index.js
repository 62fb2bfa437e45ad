// Prices with discounts and tax, in cents.
function price({ base, discountPercent = 0, taxPercent = 0 }) {
  const discounted = Math.round(base * (1 - discountPercent / 100));
  return Math.round(discounted * (1 + taxPercent / 100));
}

module.exports = { price };
