import { Entity, EntityLink } from '@backstage/catalog-model';
import { DashboardTool } from './schema/openapi';

/** A dashboard declared on a catalog entity. */
export interface Dashboard {
  title: string;
  url: string;
  tool: DashboardTool;
}

// DashboardTool and DashboardEntry (a dashboard with the entity that
// declares it, what GET /dashboards lists) are the spec's
// (plugins/bi-backend/src/schema/openapi.yaml), generated into
// ./schema/openapi.

/** The link type that marks a dashboard: `metadata.links[].type`. */
export const DASHBOARD_LINK_TYPE = 'dashboard';

const TOOLS: Array<[RegExp, DashboardTool]> = [
  [/tableau|\/views\//i, 'Tableau'],
  [/superset/i, 'Superset'],
  [/metabase|\/dashboard\/\d+/i, 'Metabase'],
  [/looker/i, 'Looker'],
  [/powerbi|app\.powerbi\.com/i, 'Power BI'],
  [/grafana|\/d\/[\w-]+/i, 'Grafana'],
];

/** The tool a dashboard is in, from its address. */
export function toolOf(url: string): DashboardTool {
  return TOOLS.find(([pattern]) => pattern.test(url))?.[1] ?? 'Dashboard';
}

function isHttpUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:';
  } catch {
    return false;
  }
}

/**
 * The dashboards an entity declares: its links of type `dashboard` with an
 * http(s) address (anything else is left out, never rendered).
 */
export function dashboardsOf(entity: Pick<Entity, 'metadata'>): Dashboard[] {
  const links: EntityLink[] = entity.metadata.links ?? [];
  return links
    .filter(link => link.type === DASHBOARD_LINK_TYPE && isHttpUrl(link.url))
    .map(link => ({
      title: link.title?.trim() || link.url,
      url: link.url,
      tool: toolOf(link.url),
    }));
}
