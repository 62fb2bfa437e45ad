import { useMemo, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import {
  Content,
  ErrorPanel,
  Header,
  Page,
  Progress,
  ProxiedSignInPage,
} from '@backstage/core-components';
import { SignInPageProps } from '@backstage/plugin-app-react';
import { discoveryApiRef, useApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  Avatar,
  Box,
  Button,
  Card,
  CardActionArea,
  CardContent,
  Chip,
  Grid,
  TextField,
  Typography,
} from '@material-ui/core';
import { DEMO_USER_STORAGE_KEY, forgetDemoUserOnSignOut } from './demoIdentity';

/** One person on the list, as the demo provider's start route returns it. */
export interface DemoUser {
  name: string;
  entityRef: string;
  displayName: string;
  email?: string;
  description?: string;
  role?: string;
  memberOf: string[];
}

/** The backend's own explanation of a failed request, when it gave one. */
function serverMessage(error?: Error): string {
  if (error instanceof ResponseError) {
    return error.body.error.message;
  }
  return error?.message ?? 'unknown error';
}

const teamOf = (user: DemoUser) =>
  user.memberOf.map(ref => ref.replace(/^group:(default\/)?/, '')).join(', ');

function initials(name: string) {
  return name
    .split(/\s+/)
    .map(part => part[0])
    .slice(0, 2)
    .join('')
    .toUpperCase();
}

function UserPicker(props: { onPick: (name: string) => void }) {
  const discoveryApi = useApi(discoveryApiRef);
  const [query, setQuery] = useState('');
  const { value, loading, error } = useAsync(async () => {
    const baseUrl = await discoveryApi.getBaseUrl('auth');
    const response = await fetch(`${baseUrl}/demo/start`);
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    const body = (await response.json()) as { items: DemoUser[] };
    return body.items;
  }, [discoveryApi]);

  const shown = useMemo(() => {
    const q = query.trim().toLowerCase();
    return (value ?? []).filter(
      user =>
        !q ||
        [user.name, user.displayName, user.role ?? '', teamOf(user)]
          .join(' ')
          .toLowerCase()
          .includes(q),
    );
  }, [value, query]);

  if (loading) {
    return <Progress />;
  }
  if (error) {
    return <ErrorPanel title="Could not list the demo users" error={error} />;
  }
  if (!value?.length) {
    return (
      <Typography>
        The catalog has no users yet. It loads the demo organisation from
        catalog/ a few seconds after the backend starts: reload this page in a
        moment.
      </Typography>
    );
  }
  return (
    <>
      <Box mb={2}>
        <TextField
          label="Filter by name, role or team"
          variant="outlined"
          size="small"
          value={query}
          onChange={e => setQuery(e.target.value)}
          inputProps={{ 'aria-label': 'Filter demo users' }}
        />
      </Box>
      <Grid container spacing={2}>
        {shown.map(user => (
          <Grid item xs={12} sm={6} md={4} lg={3} key={user.entityRef}>
            <Card variant="outlined">
              <CardActionArea
                onClick={() => props.onPick(user.name)}
                aria-label={`Sign in as ${user.displayName}`}
              >
                <CardContent>
                  <Box display="flex" alignItems="center" mb={1}>
                    <Box mr={1.5}>
                      <Avatar>{initials(user.displayName)}</Avatar>
                    </Box>
                    <Box>
                      <Typography variant="subtitle1">
                        {user.displayName}
                      </Typography>
                      <Typography variant="body2" color="textSecondary">
                        {teamOf(user)}
                      </Typography>
                    </Box>
                  </Box>
                  {user.role && (
                    <Chip size="small" label={user.role.replace(/-/g, ' ')} />
                  )}
                  {user.description && (
                    <Typography variant="body2" color="textSecondary">
                      {user.description}
                    </Typography>
                  )}
                </CardContent>
              </CardActionArea>
            </Card>
          </Grid>
        ))}
      </Grid>
    </>
  );
}

/**
 * The local sign-in page: choose any person of the demo organisation. It only
 * works where the backend has the demo provider configured (app-config.yaml).
 */
export function DemoSignInPage(props: SignInPageProps) {
  const [chosen, setChosen] = useState<string | null>(() =>
    window.localStorage.getItem(DEMO_USER_STORAGE_KEY),
  );

  const forget = () => {
    window.localStorage.removeItem(DEMO_USER_STORAGE_KEY);
    setChosen(null);
  };

  if (chosen) {
    return (
      <ProxiedSignInPage
        provider="demo"
        headers={{ 'x-demo-user': chosen }}
        onSignInSuccess={identity =>
          props.onSignInSuccess(forgetDemoUserOnSignOut(identity))
        }
        ErrorComponent={({ error }) => (
          <Page themeId="home">
            <Header title="Sign-in failed" />
            <Content>
              <ErrorPanel
                title={`Could not sign in as ${chosen}: ${serverMessage(
                  error,
                )}`}
                error={error ?? new Error('Unknown error')}
              />
              <Box mt={2}>
                <Button variant="contained" color="primary" onClick={forget}>
                  Choose another user
                </Button>
              </Box>
            </Content>
          </Page>
        )}
      />
    );
  }

  return (
    <Page themeId="home">
      <Header
        title="Who do you want to be?"
        subtitle="Local demo sign-in: pick a person of the demo organisation to see the portal as they do"
      />
      <Content>
        <UserPicker
          onPick={name => {
            window.localStorage.setItem(DEMO_USER_STORAGE_KEY, name);
            setChosen(name);
          }}
        />
      </Content>
    </Page>
  );
}
