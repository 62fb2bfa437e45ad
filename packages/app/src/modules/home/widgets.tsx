/*
 * The home page's personal widgets: what matters to the person signed in,
 * read from the catalog and the portal's own backends with their
 * credentials (so each backend's permissions apply).
 */
import useAsync from 'react-use/esm/useAsync';
import { Link, Progress } from '@backstage/core-components';
import {
  discoveryApiRef,
  fetchApiRef,
  identityApiRef,
  useApi,
} from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import {
  Entity,
  parseEntityRef,
  RELATION_MEMBER_OF,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { Box, Chip, List, ListItem, Typography } from '@material-ui/core';

/** The groups the signed-in person is a direct member of. */
export function useMyTeams() {
  const identityApi = useApi(identityApiRef);
  const catalogApi = useApi(catalogApiRef);
  return useAsync(async () => {
    const { userEntityRef } = await identityApi.getBackstageIdentity();
    const user = await catalogApi.getEntityByRef(userEntityRef);
    return (user?.relations ?? [])
      .filter(r => r.type === RELATION_MEMBER_OF)
      .map(r => r.targetRef);
  }, [identityApi, catalogApi]);
}

/**
 * GETs against one of the portal's backends, as the signed-in person; a
 * refused or failed request gives undefined. Loading until the paths are
 * known and their answers are in (never an answer for older paths).
 */
function usePortalGet<T>(pluginId: string, paths: string[] | undefined) {
  const discoveryApi = useApi(discoveryApiRef);
  const fetchApi = useApi(fetchApiRef);
  const key = paths?.join('|');
  const state = useAsync(async () => {
    if (!paths) return undefined;
    const baseUrl = await discoveryApi.getBaseUrl(pluginId);
    const results = await Promise.all(
      paths.map(async path => {
        const response = await fetchApi.fetch(`${baseUrl}${path}`);
        return response.ok ? ((await response.json()) as T) : undefined;
      }),
    );
    return { key, results };
  }, [discoveryApi, fetchApi, pluginId, key]);
  const ready = key !== undefined && state.value?.key === key;
  return {
    loading: !ready && !state.error,
    value: ready ? state.value!.results : undefined,
  };
}

const groupPath = (ref: string) => {
  const { namespace, name } = parseEntityRef(ref);
  return `${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`;
};

const entityPage = (ref: string, tab = '') => {
  const { kind, namespace, name } = parseEntityRef(ref);
  return `/catalog/${namespace}/${kind.toLowerCase()}/${name}${tab}`;
};

function Empty({ children }: { children: React.ReactNode }) {
  return (
    <Typography variant="body2" color="textSecondary">
      {children}
    </Typography>
  );
}

/** What the signed-in person owns through their groups. */
function useOwnedEntities() {
  const identityApi = useApi(identityApiRef);
  const catalogApi = useApi(catalogApiRef);
  return useAsync(async () => {
    const { ownershipEntityRefs } = await identityApi.getBackstageIdentity();
    const { items } = await catalogApi.getEntities({
      filter: {
        kind: ['component', 'system'],
        'relations.ownedBy': ownershipEntityRefs,
      },
      fields: [
        'kind',
        'metadata.name',
        'metadata.namespace',
        'metadata.title',
        'spec.type',
        'spec.lifecycle',
        'relations',
      ],
    });
    // The catalog filters already; this keeps the list right with any
    // catalog client.
    const mine = new Set(ownershipEntityRefs.map(ref => ref.toLowerCase()));
    const title = (e: Entity) => e.metadata.title ?? e.metadata.name;
    return items
      .filter(entity =>
        entity.relations?.some(
          r => r.type === 'ownedBy' && mine.has(r.targetRef.toLowerCase()),
        ),
      )
      .sort((a, b) => title(a).localeCompare(title(b)));
  }, [identityApi, catalogApi]);
}

/**
 * Your teams' services: what you own through your groups (a department head
 * owns what its teams own).
 */
export function MyServicesWidget() {
  const owned = useOwnedEntities();
  if (owned.loading) return <Progress />;
  const items: Entity[] = owned.value ?? [];
  if (items.length === 0) {
    return (
      <Empty>
        Your teams own nothing in the catalog yet.{' '}
        <Link to="/create">Create a service from a template</Link>.
      </Empty>
    );
  }
  return (
    <List dense disablePadding>
      {items.slice(0, 8).map(entity => {
        const ref = stringifyEntityRef(entity);
        const spec = (entity.spec ?? {}) as {
          type?: string;
          lifecycle?: string;
        };
        return (
          <ListItem key={ref} disableGutters>
            <Box display="flex" justifyContent="space-between" width="100%">
              <Link to={entityPage(ref)}>
                {entity.metadata.title ?? entity.metadata.name}
              </Link>
              <Typography variant="caption" color="textSecondary">
                {[entity.kind.toLowerCase(), spec.type, spec.lifecycle]
                  .filter(Boolean)
                  .join(' · ')}
              </Typography>
            </Box>
          </ListItem>
        );
      })}
      {items.length > 8 && (
        <ListItem disableGutters>
          <Link to="/catalog?filters[user]=owned">
            All {items.length} your teams own
          </Link>
        </ListItem>
      )}
    </List>
  );
}

interface Posture {
  totals: {
    open: Record<string, number>;
    overdue: number;
    scanned: number;
  };
}

interface Gate {
  current: { passed: boolean };
}

/**
 * Your teams' security: open criticals and highs, what is overdue, and the
 * components whose release gate fails.
 */
export function MySecurityWidget() {
  const teams = useMyTeams();
  const posture = usePortalGet<Posture>(
    'secops',
    teams.value?.map(ref => `/groups/${groupPath(ref)}/posture?limit=1`),
  );
  const owned = useOwnedEntities();
  const components = (owned.value ?? [])
    .filter(e => e.kind.toLowerCase() === 'component')
    .slice(0, 20)
    .map(e => stringifyEntityRef(e));
  const gates = usePortalGet<Gate>(
    'secops',
    owned.value &&
      components.map(ref => {
        const { kind, namespace, name } = parseEntityRef(ref);
        return `/entities/${kind}/${namespace}/${name}/gate`;
      }),
  );
  if (teams.loading || posture.loading || owned.loading || gates.loading) {
    return <Progress />;
  }
  const failing = components.filter(
    (_, i) => gates.value?.[i]?.current.passed === false,
  );
  const rows = (teams.value ?? [])
    .map((ref, i) => ({ ref, posture: posture.value?.[i] }))
    .filter(r => r.posture);
  if (rows.length === 0 && failing.length === 0) {
    return <Empty>No security findings for your teams.</Empty>;
  }
  return (
    <List dense disablePadding>
      {failing.length > 0 && (
        <ListItem disableGutters>
          <Typography variant="body2" color="error">
            Release gate failing:{' '}
            {failing.map((ref, i) => (
              <span key={ref}>
                {i > 0 && ', '}
                <Link to={entityPage(ref, '/security')}>
                  {parseEntityRef(ref).name}
                </Link>
              </span>
            ))}
          </Typography>
        </ListItem>
      )}
      {rows.map(({ ref, posture: p }) => {
        const open = p!.totals.open;
        return (
          <ListItem key={ref} disableGutters>
            <Box display="flex" justifyContent="space-between" width="100%">
              <Link to={entityPage(ref, '/security')}>
                {parseEntityRef(ref).name}
              </Link>
              <Box display="flex" style={{ gap: 6 }}>
                <Chip
                  size="small"
                  label={`${open.critical ?? 0} critical`}
                  style={
                    open.critical
                      ? { background: '#b91c1c', color: 'white' }
                      : undefined
                  }
                />
                <Chip size="small" label={`${open.high ?? 0} high`} />
                <Chip
                  size="small"
                  variant="outlined"
                  label={`${p!.totals.overdue} overdue`}
                />
              </Box>
            </Box>
          </ListItem>
        );
      })}
    </List>
  );
}

interface GroupCost {
  total: number;
  previousTotal: number;
  currency: string;
  budget?: { budget: number; actual: number; forecast: number; month: string };
  alerts: Array<{ id: string; message: string }>;
}

/** Your teams' cloud cost: the last 30 days and the budget. */
export function MyCostWidget() {
  const teams = useMyTeams();
  const cost = usePortalGet<GroupCost>(
    'finops',
    teams.value?.map(ref => `/groups/${groupPath(ref)}/cost?days=30`),
  );
  if (teams.loading || cost.loading) return <Progress />;
  const rows = (teams.value ?? [])
    .map((ref, i) => ({ ref, cost: cost.value?.[i] }))
    .filter(r => r.cost);
  if (rows.length === 0) {
    return <Empty>No cloud cost is attributed to your teams.</Empty>;
  }
  const money = (n: number, currency: string) =>
    new Intl.NumberFormat('en-US', {
      style: 'currency',
      currency,
      maximumFractionDigits: 0,
    }).format(n);
  return (
    <List dense disablePadding>
      {rows.map(({ ref, cost: c }) => {
        const change =
          c!.previousTotal > 0
            ? Math.round(
                ((c!.total - c!.previousTotal) / c!.previousTotal) * 100,
              )
            : undefined;
        return (
          <ListItem key={ref} disableGutters>
            <Box width="100%">
              <Box display="flex" justifyContent="space-between">
                <Link to={entityPage(ref, '/cost')}>
                  {parseEntityRef(ref).name}
                </Link>
                <Typography variant="body2">
                  {money(c!.total, c!.currency)} in 30 days
                  {change !== undefined &&
                    ` (${change > 0 ? '+' : ''}${change}%)`}
                </Typography>
              </Box>
              {c!.budget && (
                <Typography
                  variant="caption"
                  style={{
                    color:
                      c!.budget.forecast > c!.budget.budget
                        ? '#b91c1c'
                        : '#15803d',
                  }}
                >
                  {c!.budget.month}: forecast{' '}
                  {money(c!.budget.forecast, c!.currency)} of a{' '}
                  {money(c!.budget.budget, c!.currency)} budget
                </Typography>
              )}
              {c!.alerts.slice(0, 2).map(alert => (
                <Typography
                  key={alert.id}
                  variant="caption"
                  display="block"
                  color="error"
                >
                  {alert.message}
                </Typography>
              ))}
            </Box>
          </ListItem>
        );
      })}
    </List>
  );
}

/** The golden-path templates the person can use. */
export function TemplatesWidget() {
  const catalogApi = useApi(catalogApiRef);
  const templates = useAsync(async () => {
    const { items } = await catalogApi.getEntities({
      filter: { kind: 'template' },
      fields: [
        'metadata.name',
        'metadata.namespace',
        'metadata.title',
        'metadata.description',
      ],
    });
    return items;
  }, [catalogApi]);
  if (templates.loading) return <Progress />;
  const items = templates.value ?? [];
  if (items.length === 0) {
    return (
      <Empty>
        No templates yet: platform engineers add them under templates/ (see the
        docs on golden paths).
      </Empty>
    );
  }
  return (
    <List dense disablePadding>
      {items.map(template => (
        <ListItem key={template.metadata.name} disableGutters>
          <Box>
            <Link
              to={`/create/templates/${
                template.metadata.namespace ?? 'default'
              }/${template.metadata.name}`}
            >
              {template.metadata.title ?? template.metadata.name}
            </Link>
            {template.metadata.description && (
              <Typography
                variant="caption"
                display="block"
                color="textSecondary"
              >
                {template.metadata.description}
              </Typography>
            )}
          </Box>
        </ListItem>
      ))}
    </List>
  );
}

interface SloRow {
  id: string;
  entityRef: string;
  displayName: string;
  status: string;
  errorBudgetRemaining: number | null;
}

const SLO_STATUS: Record<string, { label: string; color: string }> = {
  exhausted: { label: 'Budget exhausted', color: '#b71c1c' },
  'burning-fast': { label: 'Burning fast', color: '#d84315' },
  burning: { label: 'Burning', color: '#ef6c00' },
};

/** Your teams' SLOs that are burning or out of budget (worst first). */
export function MyReliabilityWidget() {
  const teams = useMyTeams();
  const slos = usePortalGet<{ items: SloRow[]; totalCount: number }>(
    'sre',
    teams.value?.map(ref => `/groups/${groupPath(ref)}/slos?limit=20`),
  );
  if (teams.loading || slos.loading) return <Progress />;
  const pages = (slos.value ?? []).filter(Boolean);
  const all = pages.flatMap(p => p!.items);
  const seen = new Set<string>();
  const burning = all.filter(
    s => SLO_STATUS[s.status] && !seen.has(s.id) && seen.add(s.id),
  );
  const total = pages.reduce((n, p) => n + p!.totalCount, 0);
  if (total === 0) {
    return (
      <Empty>
        Your teams declare no SLOs yet: add an OpenSLO file and the
        acme.example/openslo annotation (the golden path does both).
      </Empty>
    );
  }
  if (burning.length === 0) {
    return <Empty>All {total} SLOs of your teams are within budget.</Empty>;
  }
  return (
    <List dense disablePadding>
      {burning.slice(0, 8).map(s => (
        <ListItem key={s.id} disableGutters>
          <Box display="flex" justifyContent="space-between" width="100%">
            <Typography variant="body2">
              <Link to={entityPage(s.entityRef, '/reliability')}>
                {parseEntityRef(s.entityRef).name}
              </Link>{' '}
              {s.displayName}
            </Typography>
            <Chip
              size="small"
              label={SLO_STATUS[s.status].label}
              style={{ background: SLO_STATUS[s.status].color, color: 'white' }}
            />
          </Box>
        </ListItem>
      ))}
    </List>
  );
}
