import { useEffect, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import {
  EmptyState,
  ErrorPanel,
  Link,
  LinkButton,
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
  FormControlLabel,
  Grid,
  MenuItem,
  Switch,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  TextField,
  Typography,
} from '@material-ui/core';
import {
  AdoptionSummary,
  adoptLink,
  goldenPathApiRef,
  RepositoryQuery,
  RepositoryState,
} from '../api';

const PAGE = 25;
/** How long the search box rests before its words are asked for. */
const SEARCH_DELAY_MS = 300;

const PIPELINE: Record<RepositoryState['pipeline'], string> = {
  'golden-path': 'Golden path',
  custom: 'Its own',
  none: 'None',
};

/** A count, large, with what it counts. */
function Count(props: { value: number; label: string }) {
  return (
    <Box minWidth={110}>
      <Typography variant="h4" component="p">
        {props.value}
      </Typography>
      <Typography variant="body2" color="textSecondary">
        {props.label}
      </Typography>
    </Box>
  );
}

/** Repositories on the golden path and in the catalog, a point a day. */
export function TrendChart({ trend }: { trend: AdoptionSummary['trend'] }) {
  if (trend.length < 2) {
    return (
      <Typography variant="body2" color="textSecondary">
        The trend starts with the next day's scan (one a day).
      </Typography>
    );
  }
  const width = 320;
  const height = 90;
  const most = Math.max(1, ...trend.map(t => t.repositories));
  const line = (value: (t: AdoptionSummary['trend'][number]) => number) =>
    trend
      .map((t, i) => {
        const x = (i / (trend.length - 1)) * (width - 10) + 5;
        const y = height - 5 - (value(t) / most) * (height - 10);
        return `${x.toFixed(1)},${y.toFixed(1)}`;
      })
      .join(' ');
  const first = trend[0];
  const last = trend[trend.length - 1];
  return (
    <Box>
      <svg
        width={width}
        height={height}
        role="img"
        aria-label={`From ${first.day} to ${last.day}: on the golden path ${first.goldenPath} to ${last.goldenPath}, in the catalog ${first.inCatalog} to ${last.inCatalog}, of ${last.repositories} repositories`}
      >
        <polyline
          points={line(t => t.inCatalog)}
          fill="none"
          stroke="#1d4ed8"
          strokeWidth={2}
        />
        <polyline
          points={line(t => t.goldenPath)}
          fill="none"
          stroke="#15803d"
          strokeWidth={2}
        />
      </svg>
      <Typography variant="body2">
        <span style={{ color: '#15803d', fontWeight: 600 }}>■</span> on the
        golden path <span style={{ color: '#1d4ed8', fontWeight: 600 }}>■</span>{' '}
        in the catalog
      </Typography>
    </Box>
  );
}

/**
 * The adoption map, for the platform team: every repository found (local
 * and GitHub) and where it stands, counted, with a daily trend, a one-click
 * adopt, and the jobs several repositories duplicate.
 */
export function AdoptionTab() {
  const api = useApi(goldenPathApiRef);
  const [query, setQuery] = useState<RepositoryQuery>({ limit: PAGE });
  const summary = useAsync(() => api.adoption(), [api]);
  const list = useAsync(() => api.repositories(query), [api, query]);
  const narrow = (change: Partial<RepositoryQuery>) =>
    setQuery(previous => ({ ...previous, ...change, cursor: undefined }));
  // What is typed shows at once; it is asked for once typing rests.
  const [search, setSearch] = useState('');
  useEffect(() => {
    const timer = setTimeout(
      () =>
        setQuery(previous =>
          previous.search === (search || undefined)
            ? previous
            : { ...previous, search: search || undefined, cursor: undefined },
        ),
      SEARCH_DELAY_MS,
    );
    return () => clearTimeout(timer);
  }, [search]);

  if (summary.error) return <ErrorPanel error={summary.error} />;
  if (summary.loading || !summary.value) return <Progress />;
  const { counts, trend, duplicates } = summary.value;
  return (
    <Grid container spacing={3}>
      <Grid item xs={12} md={7}>
        <Card>
          <CardHeader
            title="Repositories"
            subheader={`Found ${new Date(
              summary.value.scannedAt,
            ).toLocaleString()}`}
          />
          <CardContent>
            <Box display="flex" flexWrap="wrap" style={{ gap: 16 }}>
              <Count value={counts.repositories} label="repositories" />
              <Count value={counts.inCatalog} label="in the catalog" />
              <Count value={counts.goldenPath} label="on the golden path" />
              <Count value={counts.customPipeline} label="own pipeline" />
              <Count value={counts.noPipeline} label="no pipeline" />
              <Count value={counts.ownerUnknown} label="owner unknown" />
            </Box>
          </CardContent>
        </Card>
      </Grid>
      <Grid item xs={12} md={5}>
        <Card>
          <CardHeader title="Trend" subheader="The last 30 days" />
          <CardContent>
            <TrendChart trend={trend} />
          </CardContent>
        </Card>
      </Grid>
      <Grid item xs={12}>
        <Card>
          <CardHeader title="Every repository" />
          <CardContent>
            <Box
              display="flex"
              flexWrap="wrap"
              alignItems="center"
              style={{ gap: 16 }}
              mb={2}
            >
              <TextField
                id="adoption-pipeline"
                select
                label="Pipeline"
                variant="outlined"
                size="small"
                style={{ minWidth: 170 }}
                value={query.pipeline ?? ''}
                onChange={e =>
                  narrow({
                    pipeline:
                      (e.target.value as RepositoryState['pipeline']) ||
                      undefined,
                  })
                }
              >
                <MenuItem value="">Any</MenuItem>
                <MenuItem value="golden-path">Golden path</MenuItem>
                <MenuItem value="custom">Its own</MenuItem>
                <MenuItem value="none">None</MenuItem>
              </TextField>
              <FormControlLabel
                control={
                  <Switch
                    checked={query.inCatalog === false}
                    onChange={e =>
                      narrow({
                        inCatalog: e.target.checked ? false : undefined,
                      })
                    }
                  />
                }
                label="Not in the catalog"
              />
              <FormControlLabel
                control={
                  <Switch
                    checked={query.ownerKnown === false}
                    onChange={e =>
                      narrow({
                        ownerKnown: e.target.checked ? false : undefined,
                      })
                    }
                  />
                }
                label="Owner unknown"
              />
              <TextField
                id="adoption-search"
                size="small"
                variant="outlined"
                label="Search repositories"
                value={search}
                inputProps={{ maxLength: 100 }}
                onChange={e => setSearch(e.target.value)}
              />
            </Box>
            {list.loading ? <Progress /> : null}
            {list.error ? <ErrorPanel error={list.error} /> : null}
            {list.value && !list.value.items.length ? (
              <EmptyState
                missing="data"
                title="No repository matches"
                description="Clear a filter to see more."
              />
            ) : null}
            {list.value?.items.length ? (
              <>
                <Table size="small" aria-label="Repositories">
                  <TableHead>
                    <TableRow>
                      <TableCell>Repository</TableCell>
                      <TableCell>In the catalog</TableCell>
                      <TableCell>Owner</TableCell>
                      <TableCell>Pipeline</TableCell>
                      <TableCell>
                        <span className="MuiTypography-srOnly">Action</span>
                      </TableCell>
                    </TableRow>
                  </TableHead>
                  <TableBody>
                    {list.value.items.map(r => (
                      <TableRow key={r.name}>
                        <TableCell>
                          {r.url ? <Link to={r.url}>{r.name}</Link> : r.name}
                        </TableCell>
                        <TableCell>
                          {r.entityRefs.length
                            ? r.entityRefs.map(ref => (
                                <Box key={ref}>
                                  <EntityRefLink entityRef={ref} />
                                </Box>
                              ))
                            : 'no'}
                        </TableCell>
                        <TableCell>
                          {r.ownerRef ? (
                            <EntityRefLink entityRef={r.ownerRef} />
                          ) : (
                            'unknown'
                          )}
                        </TableCell>
                        <TableCell>
                          {PIPELINE[r.pipeline]}
                          {r.goldenPathVersion ? ` ${r.goldenPathVersion}` : ''}
                          {r.pipeline === 'custom' ? (
                            <Typography variant="body2" color="textSecondary">
                              {r.workflows.join(', ')}
                            </Typography>
                          ) : null}
                        </TableCell>
                        <TableCell>
                          {r.pipeline !== 'golden-path' ? (
                            <LinkButton
                              variant="outlined"
                              color="primary"
                              size="small"
                              to={adoptLink(r.name)}
                              aria-label={`Adopt ${r.name}`}
                            >
                              Adopt
                            </LinkButton>
                          ) : null}
                        </TableCell>
                      </TableRow>
                    ))}
                  </TableBody>
                </Table>
                <Box display="flex" justifyContent="space-between" mt={2}>
                  <Typography variant="body2" color="textSecondary">
                    {list.value.totalCount === 1
                      ? '1 repository'
                      : `${list.value.totalCount} repositories`}
                  </Typography>
                  <Box display="flex" style={{ gap: 8 }}>
                    <Button
                      disabled={!query.cursor}
                      onClick={() =>
                        setQuery(q => ({
                          ...q,
                          cursor:
                            Number(q.cursor) > PAGE
                              ? String(Number(q.cursor) - PAGE)
                              : undefined,
                        }))
                      }
                    >
                      Previous
                    </Button>
                    <Button
                      disabled={!list.value.nextCursor}
                      onClick={() =>
                        setQuery(q => ({
                          ...q,
                          cursor: list.value?.nextCursor,
                        }))
                      }
                    >
                      Next
                    </Button>
                  </Box>
                </Box>
              </>
            ) : null}
          </CardContent>
        </Card>
      </Grid>
      <Grid item xs={12}>
        <Card>
          <CardHeader
            title="Duplicated effort"
            subheader="Jobs several repositories run with the same steps: candidates for the golden path"
          />
          <CardContent>
            {duplicates.length ? (
              duplicates.map((group, i) => (
                <Box key={i} mb={2}>
                  <Typography variant="subtitle1" component="h3">
                    {group.jobs.length} jobs,{' '}
                    {Math.round(group.similarity * 100)}% alike:{' '}
                    {group.jobs
                      .map(j => `${j.repository} (${j.workflow}, ${j.job})`)
                      .join('; ')}
                  </Typography>
                  <Box component="ol" style={{ margin: '4px 0 0 0' }}>
                    {group.steps.map((step, k) => (
                      <li key={k}>
                        <Typography variant="body2" component="span">
                          <code>{step}</code>
                        </Typography>
                      </li>
                    ))}
                  </Box>
                </Box>
              ))
            ) : (
              <Typography variant="body2" color="textSecondary">
                No two repositories run the same job: nothing duplicated.
              </Typography>
            )}
          </CardContent>
        </Card>
      </Grid>
    </Grid>
  );
}
