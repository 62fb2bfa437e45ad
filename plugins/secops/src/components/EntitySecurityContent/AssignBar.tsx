import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import {
  Entity,
  parseEntityRef,
  RELATION_OWNED_BY,
  RELATION_PARENT_OF,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import {
  Box,
  Button,
  MenuItem,
  TextField,
  Typography,
} from '@material-ui/core';
import { secopsApiRef } from '../../api/SecopsClient';

export interface TeamMember {
  ref: string;
  name: string;
}

/** The entity's owners: its ownedBy relations, else its spec.owner. */
function ownersOf(entity: Entity): string[] {
  const related = (entity.relations ?? [])
    .filter(r => r.type === RELATION_OWNED_BY)
    .map(r => r.targetRef.toLowerCase());
  const owner = entity.spec?.owner;
  if (related.length || typeof owner !== 'string') return related;
  return [
    stringifyEntityRef(
      parseEntityRef(owner, {
        defaultKind: 'group',
        defaultNamespace: 'default',
      }),
    ).toLowerCase(),
  ];
}

/**
 * The people findings of the entity may be assigned to: the members of the
 * teams that own it and of the teams just below those, by name.
 */
export function useTeamMembers(entity: Entity) {
  const catalog = useApi(catalogApiRef);
  return useAsync(async (): Promise<TeamMember[]> => {
    const owners = ownersOf(entity).filter(ref => ref.startsWith('group:'));
    if (!owners.length) return [];
    const { items: groups } = await catalog.getEntitiesByRefs({
      entityRefs: owners,
      fields: ['relations'],
    });
    const teams = [
      ...owners,
      ...groups.flatMap(group =>
        (group?.relations ?? [])
          .filter(r => r.type === RELATION_PARENT_OF)
          .map(r => r.targetRef.toLowerCase()),
      ),
    ];
    const { items } = await catalog.getEntities({
      filter: { kind: 'User', 'relations.memberof': teams },
      fields: ['kind', 'metadata.name', 'metadata.namespace', 'spec.profile'],
    });
    return items
      .map(user => ({
        ref: stringifyEntityRef(user).toLowerCase(),
        name:
          (user.spec?.profile as { displayName?: string } | undefined)
            ?.displayName ?? user.metadata.name,
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }, [catalog, entity]);
}

/**
 * What to do with the findings selected in the table: assign them to a
 * member of the owning team, or take the assignment back.
 */
export function AssignBar({
  selected,
  members,
  slug,
  onDone,
}: {
  selected: string[];
  members: TeamMember[];
  /** The entity's GitHub repository (owner/name), where issues are opened. */
  slug?: string;
  /** Called with what was done, once the assignment is stored. */
  onDone: (message: string) => void;
}) {
  const api = useApi(secopsApiRef);
  const [assignee, setAssignee] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const nameOf = (ref: string) => members.find(m => m.ref === ref)?.name ?? ref;

  const run = async (to: string | null) => {
    setBusy(true);
    setError(undefined);
    try {
      const result = await api.assignFindings(selected, to);
      const n = result.changed.length;
      const findings = `${n} ${n === 1 ? 'finding' : 'findings'}`;
      setBusy(false);
      onDone(
        to
          ? `${findings} assigned to ${nameOf(to)}${
              n ? ', who is notified' : ''
            }.`
          : `${findings} no longer assigned.`,
      );
    } catch (e) {
      setError((e as Error).message);
      setBusy(false);
    }
  };

  const openIssues = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const { tickets } = await api.openFindingTickets(selected);
      const opened = tickets.filter(t => t.created);
      const linked = tickets.filter(t => !t.created);
      const numbers = (list: typeof tickets) =>
        list.map(t => `#${t.ticket.number}`).join(', ');
      setBusy(false);
      onDone(
        [
          opened.length
            ? `Opened ${opened.length} GitHub ${
                opened.length === 1 ? 'issue' : 'issues'
              } in ${slug} (${numbers(opened)}).`
            : '',
          linked.length
            ? `Linked to the open ${
                linked.length === 1 ? 'issue' : 'issues'
              } ${numbers(linked)}.`
            : '',
        ]
          .filter(Boolean)
          .join(' '),
      );
    } catch (e) {
      setError((e as Error).message);
      setBusy(false);
    }
  };

  return (
    <Box px={2} pb={2}>
      <Box
        display="flex"
        alignItems="center"
        flexWrap="wrap"
        style={{ gap: 16 }}
      >
        <Typography variant="body2">{selected.length} selected</Typography>
        <TextField
          id="secops-assign-to"
          select
          size="small"
          variant="outlined"
          label="Assign to"
          value={assignee}
          onChange={e => setAssignee(e.target.value)}
          style={{ minWidth: 220 }}
          helperText={
            members.length
              ? undefined
              : 'The owning team has no members in the catalog'
          }
        >
          {members.map(m => (
            <MenuItem key={m.ref} value={m.ref}>
              {m.name}
            </MenuItem>
          ))}
        </TextField>
        <Button
          variant="contained"
          color="primary"
          disabled={busy || !assignee || selected.length === 0}
          onClick={() => run(assignee)}
        >
          Assign
        </Button>
        <Button
          variant="outlined"
          disabled={busy || selected.length === 0}
          onClick={() => run(null)}
        >
          Unassign
        </Button>
        {slug && (
          <Button
            variant="outlined"
            disabled={busy || selected.length === 0}
            onClick={openIssues}
            title={`One issue per advisory in ${slug}; an advisory with an open issue is linked to it`}
          >
            Open GitHub issue
          </Button>
        )}
      </Box>
      {error && (
        <Typography
          variant="body2"
          role="alert"
          color="error"
          style={{ marginTop: 8 }}
        >
          {error}
        </Typography>
      )}
    </Box>
  );
}
