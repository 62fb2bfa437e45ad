import {
  budgetRemaining,
  burnRate,
  durationSeconds,
  sloStatus,
} from './budget';

describe('error budget arithmetic', () => {
  it('burns at 1 when the error ratio equals what the SLO allows', () => {
    expect(burnRate(0.995, 0.995)).toBeCloseTo(1);
    expect(burnRate(0.9, 0.99)).toBeCloseTo(10);
    expect(burnRate(1, 0.99)).toBe(0);
    expect(burnRate(null, 0.99)).toBeNull();
    expect(burnRate(NaN, 0.99)).toBeNull();
  });

  it('leaves the share of the budget not yet spent', () => {
    expect(budgetRemaining(0.999, 0.995)).toBeCloseTo(0.8);
    expect(budgetRemaining(0.99, 0.995)).toBeCloseTo(-1);
  });

  it('pages on a fast burn only when the short window agrees (it stopped otherwise)', () => {
    expect(sloStatus(0.5, { '1h': 20, '5m': 20 })).toBe('burning-fast');
    expect(sloStatus(0.5, { '1h': 20, '5m': 0.5 })).toBe('ok');
    expect(sloStatus(0.5, { '6h': 7, '30m': 8 })).toBe('burning-fast');
    expect(sloStatus(0.5, { '3d': 1.5, '6h': 1.2 })).toBe('burning');
    expect(sloStatus(0.5, { '3d': 0.5, '6h': 3 })).toBe('ok');
  });

  it('calls a spent budget exhausted and no data no data', () => {
    expect(sloStatus(0, { '1h': 0 })).toBe('exhausted');
    expect(sloStatus(-0.2, {})).toBe('exhausted');
    expect(sloStatus(null, {})).toBe('no-data');
  });

  it('reads durations', () => {
    expect(durationSeconds('28d')).toBe(28 * 86400);
    expect(durationSeconds('5m')).toBe(300);
    expect(durationSeconds('1 day')).toBeUndefined();
  });
});
