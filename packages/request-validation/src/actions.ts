/*
 * The pieces every plugin family's actions (for assistants over MCP, issue
 * 14) are made of: the read-only attributes, the paging input and output,
 * the entity, group and product inputs, and the checks that turn those
 * inputs into canonical refs with the same error messages everywhere.
 */
import { InputError } from '@backstage/errors';
import type { z as zod } from 'zod/v3';
import { entityRefOf } from './entityRef';

/**
 * The zod an action's schema callbacks (`schema.input`, `schema.output`)
 * are given by `ActionsRegistryService.register` (from
 * `@backstage/backend-plugin-api/alpha`), which types it as `typeof z` of
 * `zod/v3`: the same type, named here without a dependency on the plugin
 * API (each plugin's `register` call checks that the two still agree).
 */
export type ActionZod = typeof zod;

/**
 * The attributes of an action that only reads: not destructive, and the
 * same call gives the same answer.
 */
export const READ_ONLY_ACTION = Object.freeze({
  readOnly: true,
  destructive: false,
  idempotent: true,
});

/** A cursor that is an offset into the list: up to nine digits. */
export const OFFSET_CURSOR = /^\d{1,9}$/;

/** What a page of an action's list accepts; see {@link pageInput}. */
export interface PageInputOptions {
  /** The page size when the caller gives none (20 unless given). */
  defaultLimit?: number;
  /**
   * What a cursor may be: a pattern it must match, or how many characters
   * it may have at the most (20 unless given).
   */
  cursor?: RegExp | number;
}

/**
 * The paging fields of an action's input, to spread into its `z.object`:
 * `cursor`, the `nextCursor` of the previous page, and `limit`, a whole
 * number from 1 to 100.
 */
export function pageInput(z: ActionZod, options: PageInputOptions = {}) {
  const { defaultLimit = 20, cursor = 20 } = options;
  return {
    cursor: (typeof cursor === 'number'
      ? z.string().max(cursor)
      : z.string().regex(cursor)
    )
      .optional()
      .describe('nextCursor of the previous page'),
    limit: z.number().int().min(1).max(100).default(defaultLimit),
  };
}

/**
 * The output of an action that answers one page of a list: the items (of
 * the given fields), how many there are in all, and the cursor of the next
 * page (absent on the last one).
 */
export function pageOutput<T extends zod.ZodRawShape>(z: ActionZod, item: T) {
  return z.object({
    items: z.array(z.object(item)),
    totalCount: z.number(),
    nextCursor: z.string().optional(),
  });
}

/**
 * A page of a list as an action answers it (see {@link pageOutput}): each
 * item made what the output schema says, the count and the next cursor.
 */
export function mapPage<T, U>(
  page: { items: readonly T[]; totalCount: number; nextCursor?: string },
  item: (value: T) => U,
): { items: U[]; totalCount: number; nextCursor?: string } {
  return {
    items: page.items.map(value => item(value)),
    totalCount: page.totalCount,
    nextCursor: page.nextCursor,
  };
}

/**
 * An optional input naming an entity by its ref, of up to 300 characters;
 * turn it into a canonical ref with `entityRefOf` or
 * {@link entityOrGroupOf}.
 */
export function entityRefInput(
  z: ActionZod,
  description = 'A component, resource or system, e.g. component:default/cart-service',
) {
  return z.string().max(300).optional().describe(description);
}

/**
 * An optional input naming a group (a team or department) by its ref, of
 * up to 300 characters; check it with {@link groupRefOf}.
 */
export function groupRefInput(
  z: ActionZod,
  description = 'A team or department, e.g. group:default/team-checkout',
) {
  return z.string().max(300).optional().describe(description);
}

/**
 * The input of an action about an entity or a group (and everything it and
 * the groups below it own): `entityRef` and `groupRef`, of which the caller
 * gives exactly one (checked by {@link entityOrGroupOf}). Either
 * description may be given where a plugin's differs.
 */
export function entityOrGroupInput(
  z: ActionZod,
  descriptions: { entityRef?: string; groupRef?: string } = {},
) {
  return {
    entityRef: entityRefInput(z, descriptions.entityRef),
    groupRef: groupRefInput(
      z,
      descriptions.groupRef ??
        'A team or department: everything it and the groups below it own',
    ),
  };
}

/**
 * A required input naming a product, a system or a domain, by its ref
 * (`system:checkout`, `domain:default/retail`); canonical with
 * `entityRefOf`.
 */
export function productRefInput(
  z: ActionZod,
  description = 'The product, e.g. system:default/checkout',
) {
  return z
    .string()
    .regex(/^(system|domain):([a-z0-9_.-]+\/)?[a-z0-9_.-]+$/i)
    .describe(description);
}

/**
 * The canonical ref of the group an input names. Throws an InputError when
 * it is not a ref (`Invalid entity ref: …`) or names something other than
 * a group (`groupRef must name a group, not …`). With `kindOptional`, a
 * ref without a kind (`team-a`, `default/team-a`) is taken as a group's.
 */
export function groupRefOf(
  value: string,
  options: { kindOptional?: boolean } = {},
): string {
  const ref = entityRefOf(
    options.kindOptional && !value.includes(':') ? `group:${value}` : value,
  );
  if (!ref.startsWith('group:')) {
    throw new InputError(`groupRef must name a group, not ${ref}`);
  }
  return ref;
}

/**
 * The canonical entity or group ref of an {@link entityOrGroupInput}: an
 * InputError (`Give either entityRef or groupRef`) unless exactly one of
 * them is given (an empty one counts as not given), and the errors of
 * `entityRefOf` and {@link groupRefOf}.
 */
export function entityOrGroupOf(input: {
  entityRef?: string;
  groupRef?: string;
}):
  | { entityRef: string; groupRef?: undefined }
  | { groupRef: string; entityRef?: undefined } {
  if (!!input.entityRef === !!input.groupRef) {
    throw new InputError('Give either entityRef or groupRef');
  }
  if (input.groupRef) return { groupRef: groupRefOf(input.groupRef) };
  return { entityRef: entityRefOf(input.entityRef!) };
}
