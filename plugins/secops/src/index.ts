export { secopsPlugin as default } from './plugin';
