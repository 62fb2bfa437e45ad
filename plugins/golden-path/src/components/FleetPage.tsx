import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import {
  Content,
  EmptyState,
  ErrorPanel,
  Header,
  LinkButton,
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
  CardHeader,
  Checkbox,
  FormControlLabel,
  Grid,
  Switch,
  Tab,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Tabs,
  Typography,
} from '@material-ui/core';
import { FleetPage as Fleet, fleetUpgradeLink, goldenPathApiRef } from '../api';
import { AdoptionTab } from './AdoptionTab';

const PAGE = 25;
/** The most services one bulk upgrade takes. */
const MAX_AT_ONCE = 100;

/** A figure with its label, large. */
function Figure(props: { value: number; label: string }) {
  return (
    <Box>
      <Typography variant="h4" component="p">
        {props.value}
      </Typography>
      <Typography variant="body2" color="textSecondary">
        {props.label}
      </Typography>
    </Box>
  );
}

/** Services per template version: a bar each, the behind ones in amber. */
export function VersionBars({ fleet }: { fleet: Fleet }) {
  const most = Math.max(1, ...fleet.versions.map(v => v.count));
  if (!fleet.versions.length) return null;
  return (
    <Box
      component="ul"
      aria-label="Services by template version"
      style={{ listStyle: 'none', padding: 0, margin: 0 }}
    >
      {fleet.versions.map(v => (
        <Box
          component="li"
          key={`${v.template} ${v.version}`}
          display="flex"
          alignItems="center"
          style={{ gap: 8, marginBottom: 6 }}
        >
          <Typography variant="body2" style={{ width: 190 }}>
            {v.template} {v.version}
          </Typography>
          <Box
            role="img"
            aria-label={`${v.count} services on ${v.template} ${v.version}${
              v.behind ? ', behind' : ''
            }`}
            style={{
              width: `${Math.max(4, (v.count / most) * 260)}px`,
              height: 14,
              borderRadius: 4,
              background: v.behind ? '#b45309' : '#15803d',
            }}
          />
          <Typography variant="body2">
            {v.count} {v.behind ? '(behind)' : '(current)'}
          </Typography>
        </Box>
      ))}
    </Box>
  );
}

/**
 * The golden path as a fleet: every service made from (or brought onto) a
 * golden-path template, its version and the current one, and a bulk
 * upgrade of those chosen.
 */
export function FleetTab() {
  const api = useApi(goldenPathApiRef);
  const [behindOnly, setBehindOnly] = useState(true);
  const [mine, setMine] = useState(false);
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const state = useAsync(
    () => api.fleet({ behindOnly, mine, cursor, limit: PAGE }),
    [api, behindOnly, mine, cursor],
  );
  const fleet = state.value;
  const toggle = (ref: string) =>
    setSelected(previous => {
      const next = new Set(previous);
      if (next.has(ref)) next.delete(ref);
      else if (next.size < MAX_AT_ONCE) next.add(ref);
      return next;
    });
  const behindOnPage = fleet?.items.filter(s => s.behind) ?? [];
  const allOnPage =
    behindOnPage.length > 0 &&
    behindOnPage.every(s => selected.has(s.entityRef));
  // The current version of the templates services follow (not every
  // template: "Add a resource" makes no service).
  const followed =
    fleet?.templates.filter(t =>
      fleet.versions.some(v => v.template === t.template),
    ) ?? [];
  // A filter starts the choice over: what is chosen is what is shown.
  const filter = (apply: () => void) => {
    apply();
    setCursor(undefined);
    setSelected(new Set());
  };

  return (
    <Grid container spacing={3}>
      <Grid item xs={12} md={5}>
        <Card>
          <CardHeader title="The fleet" />
          <CardContent>
            {fleet ? (
              <Box display="flex" style={{ gap: 32 }} mb={2}>
                <Figure
                  value={fleet.versions.reduce((n, v) => n + v.count, 0)}
                  label="services on the path"
                />
                <Figure value={fleet.behindCount} label="behind" />
              </Box>
            ) : null}
            {fleet ? <VersionBars fleet={fleet} /> : null}
            {followed.length ? (
              <Typography variant="body2" color="textSecondary">
                Current:{' '}
                {followed.map(t => `${t.template} ${t.version}`).join(', ')}
              </Typography>
            ) : null}
          </CardContent>
        </Card>
      </Grid>
      <Grid item xs={12} md={7}>
        <Card>
          <CardHeader
            title="Services"
            action={
              <Box display="flex" alignItems="center" style={{ gap: 8 }}>
                <FormControlLabel
                  control={
                    <Switch
                      checked={behindOnly}
                      onChange={e =>
                        filter(() => setBehindOnly(e.target.checked))
                      }
                    />
                  }
                  label="Behind only"
                />
                <FormControlLabel
                  control={
                    <Switch
                      checked={mine}
                      onChange={e => filter(() => setMine(e.target.checked))}
                    />
                  }
                  label="My teams"
                />
              </Box>
            }
          />
          <CardContent>
            {state.loading ? <Progress /> : null}
            {state.error ? <ErrorPanel error={state.error} /> : null}
            {fleet && !fleet.items.length ? (
              <EmptyState
                missing="data"
                title={
                  behindOnly
                    ? 'Every service is on the current version'
                    : 'No service is on the golden path yet'
                }
                description={
                  behindOnly
                    ? 'Nothing to upgrade. Turn off "Behind only" to see them all.'
                    : 'Create one from a golden-path template, or bring an existing one onto it with "Adopt the golden path".'
                }
                action={
                  <Button variant="outlined" color="primary" href="/create">
                    Open the templates
                  </Button>
                }
              />
            ) : null}
            {fleet && fleet.items.length ? (
              <>
                <Table size="small" aria-label="Golden-path services">
                  <TableHead>
                    <TableRow>
                      <TableCell padding="checkbox">
                        <Checkbox
                          checked={allOnPage}
                          disabled={!behindOnPage.length}
                          inputProps={{
                            'aria-label':
                              'Choose every service behind on this page',
                          }}
                          onChange={() =>
                            setSelected(previous => {
                              const next = new Set(previous);
                              for (const s of behindOnPage) {
                                if (allOnPage) next.delete(s.entityRef);
                                else next.add(s.entityRef);
                              }
                              return next;
                            })
                          }
                        />
                      </TableCell>
                      <TableCell>Service</TableCell>
                      <TableCell>Owner</TableCell>
                      <TableCell>Template</TableCell>
                      <TableCell>Version</TableCell>
                    </TableRow>
                  </TableHead>
                  <TableBody>
                    {fleet.items.map(s => (
                      <TableRow key={s.entityRef}>
                        <TableCell padding="checkbox">
                          <Checkbox
                            checked={selected.has(s.entityRef)}
                            disabled={!s.behind}
                            inputProps={{
                              'aria-label': `Choose ${s.entityRef}`,
                            }}
                            onChange={() => toggle(s.entityRef)}
                          />
                        </TableCell>
                        <TableCell>
                          <EntityRefLink entityRef={s.entityRef} />
                        </TableCell>
                        <TableCell>
                          {s.ownerRef ? (
                            <EntityRefLink entityRef={s.ownerRef} />
                          ) : (
                            'nobody'
                          )}
                        </TableCell>
                        <TableCell>{s.template}</TableCell>
                        <TableCell>
                          {s.behind ? (
                            <Typography
                              variant="body2"
                              style={{ color: '#92400e', fontWeight: 600 }}
                            >
                              {s.version}, behind {s.current}
                            </Typography>
                          ) : (
                            <Typography variant="body2">
                              {s.version}
                              {s.current
                                ? ''
                                : ' (template not in the catalog)'}
                            </Typography>
                          )}
                        </TableCell>
                      </TableRow>
                    ))}
                  </TableBody>
                </Table>
                <Box
                  display="flex"
                  justifyContent="space-between"
                  alignItems="center"
                  mt={2}
                >
                  <Typography variant="body2" color="textSecondary">
                    {fleet.totalCount === 1
                      ? '1 service'
                      : `${fleet.totalCount} services`}
                    {cursor ? `, from ${Number(cursor) + 1}` : ''}
                  </Typography>
                  <Box display="flex" style={{ gap: 8 }}>
                    <Button
                      disabled={!cursor}
                      onClick={() =>
                        setCursor(
                          Number(cursor) > PAGE
                            ? String(Number(cursor) - PAGE)
                            : undefined,
                        )
                      }
                    >
                      Previous
                    </Button>
                    <Button
                      disabled={!fleet.nextCursor}
                      onClick={() => setCursor(fleet.nextCursor)}
                    >
                      Next
                    </Button>
                  </Box>
                </Box>
              </>
            ) : null}
            <Box mt={2} display="flex" alignItems="center" style={{ gap: 16 }}>
              <LinkButton
                variant="contained"
                color="primary"
                disabled={!selected.size}
                to={fleetUpgradeLink([...selected])}
              >
                Upgrade {selected.size || ''} chosen
              </LinkButton>
              <Typography variant="body2" color="textSecondary">
                One pull request per service, with progress and results in the
                task.
              </Typography>
            </Box>
          </CardContent>
        </Card>
      </Grid>
    </Grid>
  );
}

/**
 * The golden path's page: the fleet (template versions, bulk upgrades)
 * and, for the platform team, the adoption map (every repository found).
 */
export function FleetPage() {
  const [tab, setTab] = useState(
    new URLSearchParams(window.location.search).get('tab') === 'adoption'
      ? 1
      : 0,
  );
  return (
    <Page themeId="tool">
      <Header
        title="Golden path"
        subtitle="Which version of the golden path each service follows, upgrades for those behind, and every repository not on it yet"
      />
      <Content>
        <Tabs
          value={tab}
          onChange={(_, value) => setTab(value)}
          aria-label="Golden path views"
          indicatorColor="primary"
        >
          <Tab
            label="Fleet"
            id="golden-path-tab-0"
            aria-controls="golden-path-panel-0"
          />
          <Tab
            label="Adoption"
            id="golden-path-tab-1"
            aria-controls="golden-path-panel-1"
          />
        </Tabs>
        <Box
          role="tabpanel"
          id={`golden-path-panel-${tab}`}
          aria-labelledby={`golden-path-tab-${tab}`}
          mt={2}
        >
          {tab === 0 ? <FleetTab /> : <AdoptionTab />}
        </Box>
      </Content>
    </Page>
  );
}
