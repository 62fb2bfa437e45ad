/**
 * The BI plugin's node library: the dashboards declared on catalog
 * entities, read as given credentials may see them. The BI backend and the
 * search collator both use it.
 *
 * @packageDocumentation
 */
export { listDashboards } from './dashboards';
