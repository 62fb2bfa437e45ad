import {
  AuthProviderFactory,
  AuthProviderRouteHandlers,
  createProxyAuthenticator,
  createProxyAuthRouteHandlers,
} from '@backstage/plugin-auth-node';
import { AuthService } from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  AuthenticationError,
  InputError,
  NotAllowedError,
} from '@backstage/errors';

/** The request header that names the demo user to sign in as. */
export const DEMO_USER_HEADER = 'x-demo-user';

/** The annotation on demo users that names their role in the organisation. */
export const DEMO_ROLE_ANNOTATION = 'acme.example/role';

const USER_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/i;
const MAX_LISTED_USERS = 500;

/** One person that can be chosen on the local sign-in page. */
export interface DemoUser {
  name: string;
  entityRef: string;
  displayName: string;
  email?: string;
  description?: string;
  role?: string;
  memberOf: string[];
}

function toDemoUser(entity: Entity): DemoUser {
  const profile = (entity.spec?.profile ?? {}) as {
    displayName?: string;
    email?: string;
  };
  const memberOf = Array.isArray(entity.spec?.memberOf)
    ? (entity.spec!.memberOf as unknown[]).map(String)
    : [];
  return {
    name: entity.metadata.name,
    entityRef: stringifyEntityRef(entity),
    displayName: profile.displayName ?? entity.metadata.name,
    email: profile.email,
    description: entity.metadata.description,
    role: entity.metadata.annotations?.[DEMO_ROLE_ANNOTATION],
    memberOf,
  };
}

type Request = Parameters<AuthProviderRouteHandlers['start']>[0];

/** Whether an address is this machine's (IPv4 127/8, IPv6 ::1, mapped). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.replace(/^::ffff:/i, '');
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4) || address === '::1';
}

/**
 * The addresses a request claims to come through: its socket's peer, and
 * every address in X-Forwarded-For and Forwarded (a proxy on this machine
 * forwarding someone else's request is someone else's request).
 */
function addressesOf(req: Request): Array<string | undefined> {
  const forwarded = [
    ...String(req.headers['x-forwarded-for'] ?? '')
      .split(',')
      .map(a => a.trim()),
    ...[...String(req.headers.forwarded ?? '').matchAll(/for="?([^;,"]+)/gi)]
      .map(m => m[1].trim())
      .map(a => a.replace(/^\[(.*)\](:\d+)?$/, '$1')),
  ].filter(Boolean);
  return [req.socket?.remoteAddress, ...forwarded];
}

/**
 * A sign-in provider for local use only: the browser says which catalog user
 * it wants to be (in the `x-demo-user` header) and gets that user's identity,
 * so that role-based views can be tried. It trusts the browser completely, so
 * it must never be configured where real data lives; it refuses to start in
 * production unless explicitly told otherwise.
 */
export function createDemoAuthProviderFactory(deps: {
  catalog: CatalogService;
  auth: AuthService;
}): AuthProviderFactory {
  const { catalog, auth } = deps;

  const findUser = async (name: string): Promise<Entity> => {
    const entity = await catalog.getEntityByRef(
      { kind: 'User', namespace: 'default', name },
      { credentials: await auth.getOwnServiceCredentials() },
    );
    if (!entity) {
      throw new AuthenticationError(
        `There is no user '${name}' in the catalog to sign in as`,
      );
    }
    return entity;
  };

  const authenticator = createProxyAuthenticator({
    initialize: () => undefined,
    async authenticate({ req }) {
      const name = req.header(DEMO_USER_HEADER);
      if (!name) {
        throw new AuthenticationError(
          `Choose a demo user: the ${DEMO_USER_HEADER} header is missing`,
        );
      }
      if (!USER_NAME.test(name)) {
        throw new InputError(
          `The ${DEMO_USER_HEADER} header must be a catalog user name`,
        );
      }
      return { result: toDemoUser(await findUser(name)) };
    },
    async defaultProfileTransform(user: DemoUser) {
      return {
        profile: { displayName: user.displayName, email: user.email },
      };
    },
  });

  return options => {
    const allowInProduction = options.config.getOptionalBoolean(
      'dangerouslyAllowInProduction',
    );
    if (process.env.NODE_ENV === 'production' && !allowInProduction) {
      throw new Error(
        'The demo sign-in provider lets anyone be anyone and is disabled in production; remove auth.providers.demo from the configuration',
      );
    }
    // Anyone who can reach the port can be anyone, an admin included: only
    // this machine may sign in, unless the configuration says otherwise.
    const allowRemote =
      options.config.getOptionalBoolean('dangerouslyAllowRemote') ?? false;
    options.logger.warn(
      allowRemote
        ? 'The demo sign-in provider is enabled for every address: anyone who reaches the portal can sign in as any catalog user'
        : 'The demo sign-in provider is enabled: anyone who reaches the portal from this machine can sign in as any catalog user',
    );
    const onlyFromHere = (req: Request) => {
      if (allowRemote) return;
      if (!addressesOf(req).every(isLoopbackAddress)) {
        throw new NotAllowedError(
          'The demo sign-in only accepts requests from this machine (auth.providers.demo.dangerouslyAllowRemote)',
        );
      }
    };

    const handlers = createProxyAuthRouteHandlers<DemoUser>({
      authenticator,
      config: options.config,
      resolverContext: options.resolverContext,
      signInResolver: async ({ result }, ctx) =>
        ctx.signInWithCatalogUser({ entityRef: result.entityRef }),
    });

    return {
      ...handlers,
      async refresh(req, res) {
        onlyFromHere(req);
        await handlers.refresh!(req, res);
      },
      // A proxy provider has no redirect flow, so its start route instead
      // lists who one can be: the local sign-in page shows this list.
      async start(req, res) {
        onlyFromHere(req);
        const { items } = await catalog.queryEntities(
          {
            filter: { kind: 'User' },
            orderFields: { field: 'metadata.name', order: 'asc' },
            limit: MAX_LISTED_USERS,
          },
          { credentials: await auth.getOwnServiceCredentials() },
        );
        res.json({ items: items.map(toDemoUser) });
      },
    };
  };
}
