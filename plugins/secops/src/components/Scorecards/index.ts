export { ScorecardsPage } from './ScorecardsPage';
export { ScorecardCard } from './ScorecardCard';
