export { OffPathPage } from './OffPathPage';
