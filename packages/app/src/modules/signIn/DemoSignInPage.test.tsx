import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { discoveryApiRef } from '@backstage/core-plugin-api';
import { DemoSignInPage, DemoUser } from './DemoSignInPage';
import { DEMO_USER_STORAGE_KEY } from './demoIdentity';

const users: DemoUser[] = [
  {
    name: 'ben-okafor',
    entityRef: 'user:default/ben-okafor',
    displayName: 'Ben Okafor',
    role: 'developer',
    memberOf: ['team-checkout'],
    description: 'Backend developer',
  },
  {
    name: 'jonas-berg',
    entityRef: 'user:default/jonas-berg',
    displayName: 'Jonas Berg',
    role: 'ciso',
    memberOf: ['security'],
  },
];

const discoveryApi = {
  getBaseUrl: async (pluginId: string) => `http://backend/api/${pluginId}`,
};

function respond(status: number, body: unknown) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}

describe('DemoSignInPage', () => {
  const fetchMock = jest.fn();
  beforeEach(() => {
    window.localStorage.clear();
    fetchMock.mockReset();
    global.fetch = fetchMock;
  });

  it('lists the demo users and narrows the list by role or team', async () => {
    fetchMock.mockResolvedValue(respond(200, { items: users }));
    await renderInTestApp(<DemoSignInPage onSignInSuccess={jest.fn()} />, {
      apis: [[discoveryApiRef, discoveryApi]],
    });

    expect(await screen.findByText('Ben Okafor')).toBeInTheDocument();
    expect(screen.getByText('Jonas Berg')).toBeInTheDocument();
    expect(fetchMock).toHaveBeenCalledWith(
      'http://backend/api/auth/demo/start',
    );

    await userEvent.type(screen.getByLabelText('Filter demo users'), 'ciso');
    expect(screen.queryByText('Ben Okafor')).not.toBeInTheDocument();
    expect(screen.getByText('Jonas Berg')).toBeInTheDocument();
  });

  it('signs in as the person picked and remembers the choice', async () => {
    fetchMock.mockImplementation(async (url: string, init?: RequestInit) => {
      if (url.endsWith('/demo/start')) {
        return respond(200, { items: users });
      }
      const headers = new Headers(init?.headers);
      expect(headers.get('x-demo-user')).toBe('jonas-berg');
      return respond(200, {
        profile: { displayName: 'Jonas Berg' },
        backstageIdentity: {
          token: 'a.eyJleHAiOjQxMDI0NDQ4MDB9.c',
          identity: {
            type: 'user',
            userEntityRef: 'user:default/jonas-berg',
            ownershipEntityRefs: ['group:default/security'],
          },
        },
      });
    });
    const onSignInSuccess = jest.fn();
    await renderInTestApp(
      <DemoSignInPage onSignInSuccess={onSignInSuccess} />,
      { apis: [[discoveryApiRef, discoveryApi]] },
    );

    await userEvent.click(
      await screen.findByRole('button', { name: 'Sign in as Jonas Berg' }),
    );

    await waitFor(() => expect(onSignInSuccess).toHaveBeenCalled());
    expect(window.localStorage.getItem(DEMO_USER_STORAGE_KEY)).toBe(
      'jonas-berg',
    );
    const identity = onSignInSuccess.mock.calls[0][0];
    await expect(identity.getBackstageIdentity()).resolves.toMatchObject({
      userEntityRef: 'user:default/jonas-berg',
    });

    await identity.signOut();
    expect(window.localStorage.getItem(DEMO_USER_STORAGE_KEY)).toBeNull();
  });

  it('says what went wrong when a sign-in is refused and offers another pick', async () => {
    window.localStorage.setItem(DEMO_USER_STORAGE_KEY, 'mallory');
    fetchMock.mockResolvedValue(
      respond(401, {
        error: {
          name: 'AuthenticationError',
          message: "There is no user 'mallory' in the catalog to sign in as",
        },
      }),
    );
    await renderInTestApp(<DemoSignInPage onSignInSuccess={jest.fn()} />, {
      apis: [[discoveryApiRef, discoveryApi]],
    });

    expect(
      await screen.findByText(/no user 'mallory' in the catalog/),
    ).toBeInTheDocument();
    fetchMock.mockResolvedValue(respond(200, { items: users }));
    await userEvent.click(
      screen.getByRole('button', { name: 'Choose another user' }),
    );
    expect(await screen.findByText('Ben Okafor')).toBeInTheDocument();
    expect(window.localStorage.getItem(DEMO_USER_STORAGE_KEY)).toBeNull();
  });

  it('tells the person to wait when the catalog has no users yet', async () => {
    fetchMock.mockResolvedValue(respond(200, { items: [] }));
    await renderInTestApp(<DemoSignInPage onSignInSuccess={jest.fn()} />, {
      apis: [[discoveryApiRef, discoveryApi]],
    });
    expect(
      await screen.findByText(/The catalog has no users yet/),
    ).toBeInTheDocument();
  });
});
