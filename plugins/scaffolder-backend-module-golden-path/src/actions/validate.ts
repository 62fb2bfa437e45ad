import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { LocalRepositories } from '../localRepositories';
import { Caller, Ownership, registeredFromGithub } from '../ownership';
import { SLUG, Source, sourceOfEntity } from './checkout';
import { examples } from './validate.examples';

/** A Kubernetes namespace, a service's name: an RFC 1123 DNS label. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** A service's name: a DNS label that starts with a letter. */
const SERVICE_NAME = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const RESOURCE_NAME = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/;
/** What no free text may hold: controls, line breaks of any kind. */
// eslint-disable-next-line no-control-regex
const UNSAFE_TEXT = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff]/;
const MAX_REF = 253;

/** A free-text field: one line, no expressions, not over-long. */
function checkText(field: string, value: string, max: number) {
  if (value.length > max) {
    throw new InputError(`${field} is longer than ${max} characters`);
  }
  if (UNSAFE_TEXT.test(value)) {
    throw new InputError(
      `${field} holds a line break or control character; give one line of text`,
    );
  }
  if (/\$\{\{|\{%|\{\{/.test(value)) {
    throw new InputError(
      `${field} holds template expression syntax ("\${{", "{{" or "{%"), which is not allowed`,
    );
  }
}

function refOf(field: string, value: string, kind: string): string {
  checkText(field, value, MAX_REF);
  let ref;
  try {
    ref = parseEntityRef(value, {
      defaultKind: kind,
      defaultNamespace: 'default',
    });
  } catch {
    throw new InputError(`${field} "${value}" is not an entity ref`);
  }
  if (ref.kind.toLowerCase() !== kind) {
    throw new InputError(`${field} "${value}" is not a ${kind}`);
  }
  if (
    ![ref.namespace, ref.name].every(p =>
      /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(p),
    )
  ) {
    throw new InputError(`${field} "${value}" is not an entity ref`);
  }
  return stringifyEntityRef(ref);
}

/**
 * `golden-path:validate`: the server-side check every golden-path template
 * runs first. Whatever the form allowed, the values a template writes into
 * YAML, HCL and pipelines are checked here: names are DNS labels, text is
 * one line, owners are existing Groups the caller belongs to, systems are
 * existing Systems, and a repository or component is one the caller's teams
 * own (admins excepted). A refusal names the field.
 */
export function createValidateAction(options: {
  ownership: Ownership;
  repositories: LocalRepositories;
}) {
  const { ownership, repositories } = options;
  return createTemplateAction({
    id: 'golden-path:validate',
    description:
      "Checks a golden-path template's inputs on the server: names, owner, system, and that the caller's teams own the repository or component.",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        name: z =>
          z.string().optional().describe('A new service name (DNS label)'),
        description: z => z.string().optional().describe('One line of text'),
        owner: z =>
          z
            .string()
            .optional()
            .describe("An existing Group, one of the caller's"),
        system: z => z.string().optional().describe('An existing System'),
        namespace: z =>
          z.string().optional().describe('A Kubernetes namespace (DNS label)'),
        repository: z =>
          z
            .string()
            .optional()
            .describe(
              "A repository the caller's teams own (local name or owner/name)",
            ),
        component: z =>
          z.string().optional().describe("A Component the caller's teams own"),
        resourceName: z =>
          z.string().optional().describe('A resource name within a component'),
      },
      output: {
        owner: z => z.string().describe('The owner, as a full entity ref'),
        ownerName: z => z.string(),
        namespace: z => z.string().describe("Given, or the owner's name"),
        system: z => z.string().describe('The system, as a full entity ref'),
        systemName: z => z.string(),
        component: z =>
          z.string().describe('The component, as a full entity ref'),
      },
    },
    async handler(ctx) {
      const input = ctx.input;
      const caller = await ownership.caller(ctx.user?.ref);
      if (!caller.ref) {
        throw new NotAllowedError(
          'golden-path templates run for a signed-in user only',
        );
      }

      if (input.name !== undefined && !SERVICE_NAME.test(input.name)) {
        throw new InputError(
          `name "${input.name.slice(
            0,
            80,
          )}" is not a DNS label: lower-case letters, digits and -, starting with a letter, at most 63`,
        );
      }
      if (
        input.resourceName !== undefined &&
        !RESOURCE_NAME.test(input.resourceName)
      ) {
        throw new InputError(
          `resourceName "${input.resourceName.slice(
            0,
            80,
          )}" is not a resource name: 2 to 32 lower-case letters, digits and -, starting with a letter`,
        );
      }
      if (input.description !== undefined) {
        checkText('description', input.description, 200);
      }
      if (input.namespace && !DNS_LABEL.test(input.namespace)) {
        throw new InputError(
          `namespace "${input.namespace.slice(
            0,
            80,
          )}" is not a DNS label (lower-case letters, digits and -, at most 63)`,
        );
      }

      if (input.owner !== undefined) {
        const owner = refOf('owner', input.owner, 'group');
        const group = await ownership.entity(owner, 'group');
        if (!group) {
          throw new InputError(
            `owner "${owner}" is not a Group in the catalog`,
          );
        }
        if (!caller.isAdmin && !caller.owners.has(owner.toLowerCase())) {
          throw new NotAllowedError(
            `owner "${owner}" is not one of your teams; choose a team you are a member of`,
          );
        }
        const ownerName = parseEntityRef(owner).name;
        ctx.output('owner', owner);
        ctx.output('ownerName', ownerName);
        if (!input.namespace) {
          if (!DNS_LABEL.test(ownerName)) {
            throw new InputError(
              `owner "${owner}" has a name that is not a DNS label, so it cannot be the Kubernetes namespace; give a namespace`,
            );
          }
          ctx.output('namespace', ownerName);
        }
      }
      if (input.namespace) ctx.output('namespace', input.namespace);

      if (input.system) {
        const system = refOf('system', input.system, 'system');
        if (!(await ownership.entity(system, 'system'))) {
          throw new InputError(
            `system "${system}" is not a System in the catalog`,
          );
        }
        ctx.output('system', system);
        ctx.output('systemName', parseEntityRef(system).name);
      } else {
        ctx.output('system', '');
        ctx.output('systemName', '');
      }

      if (input.repository !== undefined) {
        const { repository } = input;
        checkText('repository', repository, 200);
        let source: Source;
        if (SLUG.test(repository)) {
          source = { target: 'github', slug: repository };
        } else {
          try {
            source = {
              target: 'local',
              name: repository,
              path: await repositories.require(repository),
            };
          } catch (error: any) {
            throw new NotFoundError(`repository: ${error.message}`);
          }
        }
        await requireRepositoryOwned('repository', repository, source, caller);
      }

      if (input.component !== undefined) {
        const ref = refOf('component', input.component, 'component');
        const component = await ownership.entity(ref, 'component');
        if (!component) {
          throw new InputError(
            `component "${ref}" is not a Component in the catalog`,
          );
        }
        const owners = ownership.ownersOf(component);
        if (!caller.isAdmin && !owners.some(o => caller.owners.has(o))) {
          throw new NotAllowedError(
            `component "${ref}" is owned by ${
              owners.join(', ') || 'nobody'
            }, not by one of your teams`,
          );
        }
        const source = sourceOfEntity(component, repositories);
        if (
          source?.target === 'github' &&
          !caller.isAdmin &&
          !registeredFromGithub(component, source.slug)
        ) {
          throw new NotAllowedError(
            `component "${ref}" names the repository ${source.slug} but was not registered from it; only an admin can change that repository through it`,
          );
        }
        if (source) {
          await requireRepositoryOwned('component', ref, source, caller);
        }
        ctx.output('component', ref);
      }
      ctx.logger.info(`The inputs are valid for ${caller.ref}`);
    },
  });

  /**
   * Every catalog entity that comes from the repository is owned by the
   * caller's teams; a repository no entity claims can only be adopted for
   * one of the caller's own teams (checked on owner).
   */
  async function requireRepositoryOwned(
    field: string,
    value: string,
    source: Source,
    caller: Caller,
  ) {
    if (caller.isAdmin) return;
    const claims = await ownership.claimsOn(source);
    for (const entity of claims) {
      const owners = ownership.ownersOf(entity);
      if (!owners.some(o => caller.owners.has(o))) {
        throw new NotAllowedError(
          `${field} "${value}": its repository belongs to ${
            owners.join(', ') || 'nobody'
          } (${stringifyEntityRef(entity)}), not to one of your teams`,
        );
      }
    }
  }
}
