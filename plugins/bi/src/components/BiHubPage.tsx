import { useEffect, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import {
  Content,
  EmptyState,
  ErrorPanel,
  Header,
  Link,
  Page,
  Progress,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import {
  Box,
  Button,
  Card,
  CardContent,
  Chip,
  Grid,
  TextField,
  Typography,
} from '@material-ui/core';
import { DashboardEntry } from '@portal/plugin-bi-common';
import { biApiRef } from '../api';

const PAGE_SIZE = 24;

/** Entries grouped by domain, then by system, in the order given. */
function groupEntries(items: DashboardEntry[]) {
  const groups = new Map<string, Map<string, DashboardEntry[]>>();
  for (const item of items) {
    const domain = item.domainRef ?? '';
    const system = item.systemRef ?? '';
    const systems = groups.get(domain) ?? new Map<string, DashboardEntry[]>();
    systems.set(system, [...(systems.get(system) ?? []), item]);
    groups.set(domain, systems);
  }
  return groups;
}

function DashboardCard({ entry }: { entry: DashboardEntry }) {
  return (
    <Card variant="outlined" style={{ height: '100%' }}>
      <CardContent>
        <Box display="flex" justifyContent="space-between" alignItems="start">
          <Typography variant="subtitle1">
            <Link to={entry.url}>{entry.title}</Link>
          </Typography>
          <Chip size="small" label={entry.tool} variant="outlined" />
        </Box>
        <Typography variant="body2" color="textSecondary">
          On <EntityRefLink entityRef={entry.entityRef} />
          {entry.ownerRef && (
            <>
              {' · owned by '}
              <EntityRefLink entityRef={entry.ownerRef} defaultKind="group" />
            </>
          )}
        </Typography>
      </CardContent>
    </Card>
  );
}

/** The BI hub: every dashboard in the catalog, by domain and product. */
export function BiHubPage() {
  const api = useApi(biApiRef);
  const [input, setInput] = useState('');
  const [search, setSearch] = useState('');
  const [limit, setLimit] = useState(PAGE_SIZE);

  // Search as the person types, a moment after they stop.
  useEffect(() => {
    const timer = setTimeout(() => {
      setSearch(input.trim());
      setLimit(PAGE_SIZE);
    }, 300);
    return () => clearTimeout(timer);
  }, [input]);

  const { value, loading, error } = useAsync(
    () => api.listDashboards({ search: search || undefined, limit }),
    [api, search, limit],
  );

  return (
    <Page themeId="tool">
      <Header
        title="BI hub"
        subtitle="Every dashboard declared in the catalog, by domain and product, with its owner"
      />
      <Content>
        {/* On white: the label's grey is readable there, not on the page's. */}
        <Box mb={3} maxWidth={480} style={{ background: '#fff' }}>
          <TextField
            id="bi-search"
            label="Search dashboards"
            placeholder="Title, tool, product, team…"
            variant="outlined"
            size="small"
            fullWidth
            value={input}
            onChange={e => setInput(e.target.value)}
          />
        </Box>
        {loading && !value && <Progress />}
        {error && (
          <ErrorPanel title="Could not load dashboards" error={error} />
        )}
        {value && value.items.length === 0 && (
          <EmptyState
            missing="data"
            title={
              search
                ? `No dashboard matches “${search}”`
                : 'No dashboards in the catalog yet'
            }
            description="Declare a dashboard as a link of type dashboard in an entity's metadata.links; it appears here, on the entity's overview and in search."
          />
        )}
        {value &&
          [...groupEntries(value.items)].map(([domain, systems]) => (
            <Box key={domain} mb={4}>
              <Typography variant="h5" gutterBottom>
                {domain ? (
                  <EntityRefLink entityRef={domain} defaultKind="domain" />
                ) : (
                  'No domain'
                )}
              </Typography>
              {[...systems].map(([system, entries]) => (
                <Box key={system} mb={2}>
                  <Typography variant="subtitle2" gutterBottom>
                    {system ? (
                      <>
                        Product: <EntityRefLink entityRef={system} />
                      </>
                    ) : (
                      'The domain itself'
                    )}
                  </Typography>
                  <Grid container spacing={2}>
                    {entries.map(entry => (
                      <Grid
                        item
                        xs={12}
                        sm={6}
                        md={4}
                        key={`${entry.entityRef} ${entry.url}`}
                      >
                        <DashboardCard entry={entry} />
                      </Grid>
                    ))}
                  </Grid>
                </Box>
              ))}
            </Box>
          ))}
        {value && value.nextCursor && (
          <Button
            variant="outlined"
            onClick={() => setLimit(limit + PAGE_SIZE)}
            disabled={loading}
          >
            Show more ({value.items.length} of {value.totalCount})
          </Button>
        )}
      </Content>
    </Page>
  );
}
