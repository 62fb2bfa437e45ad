import { InfoCard, Link } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  Chip,
  List,
  ListItem,
  ListItemIcon,
  ListItemText,
  Typography,
} from '@material-ui/core';
import BarChartIcon from '@material-ui/icons/BarChart';
import { dashboardsOf } from '@portal/plugin-bi-common';

/** The BI dashboards an entity declares, on its overview. */
export function DashboardsCard() {
  const { entity } = useEntity();
  const dashboards = dashboardsOf(entity);
  return (
    <InfoCard title="Dashboards" subheader="Business intelligence">
      {dashboards.length === 0 ? (
        <Typography variant="body2" color="textSecondary">
          No dashboards yet. Add one as a link of type <code>dashboard</code> in
          this entity's <code>metadata.links</code> (Tableau, Superset,
          Metabase, Looker, Power BI or any address); it shows here, on the BI
          hub and in search.
        </Typography>
      ) : (
        <List dense disablePadding>
          {dashboards.map(dashboard => (
            <ListItem key={dashboard.url} disableGutters>
              <ListItemIcon>
                <BarChartIcon />
              </ListItemIcon>
              <ListItemText
                primary={<Link to={dashboard.url}>{dashboard.title}</Link>}
              />
              <Chip size="small" label={dashboard.tool} variant="outlined" />
            </ListItem>
          ))}
        </List>
      )}
    </InfoCard>
  );
}
