export { biPlugin as default } from './plugin';
