export { ExamplePage } from './ExamplePage';
