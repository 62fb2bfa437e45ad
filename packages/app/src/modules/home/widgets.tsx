/*
 * The home page's own widgets, read from the catalog as the person signed
 * in: their teams' services and the templates. The plugins' widgets
 * (security, cost, reliability) live in their plugins.
 */
import useAsync from 'react-use/esm/useAsync';
import { Link, Progress } from '@backstage/core-components';
import { identityApiRef, useApi } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { Box, List, ListItem, Typography } from '@material-ui/core';

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
