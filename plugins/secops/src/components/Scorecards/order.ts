import { ScorecardLevel } from '@portal/plugin-secops-common';

/** The levels, lowest first. */
export const SCORECARD_LEVEL_ORDER: ScorecardLevel[] = [
  'bronze',
  'silver',
  'gold',
];
