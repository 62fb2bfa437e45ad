export { finopsPlugin as default } from './plugin';
