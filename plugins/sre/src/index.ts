export { srePlugin as default } from './plugin';
