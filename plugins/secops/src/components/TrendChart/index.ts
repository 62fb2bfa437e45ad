export { TrendCard, TrendSvg } from './TrendChart';
