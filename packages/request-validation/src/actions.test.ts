import { InputError } from '@backstage/errors';
import { z } from 'zod/v3';
import {
  entityOrGroupInput,
  entityOrGroupOf,
  entityRefInput,
  groupRefInput,
  groupRefOf,
  mapPage,
  OFFSET_CURSOR,
  pageInput,
  pageOutput,
  productRefInput,
  READ_ONLY_ACTION,
} from '.';

/** The first problem zod finds with a value, as `path: message`. */
function problem(schema: z.ZodTypeAny, value: unknown) {
  const result = schema.safeParse(value);
  if (result.success) return undefined;
  const issue = result.error.issues[0];
  return `${issue.path.join('.')}: ${issue.message}`;
}

describe('READ_ONLY_ACTION', () => {
  it('says the action only reads, and cannot be changed by one plugin', () => {
    expect(READ_ONLY_ACTION).toEqual({
      readOnly: true,
      destructive: false,
      idempotent: true,
    });
    expect(Object.isFrozen(READ_ONLY_ACTION)).toBe(true);
  });
});

describe('pageInput', () => {
  it('gives a limit of 20 and no cursor by default', () => {
    const schema = z.object(pageInput(z));
    expect(schema.parse({})).toEqual({ limit: 20 });
    expect(schema.parse({ cursor: 'abc', limit: 100 })).toEqual({
      cursor: 'abc',
      limit: 100,
    });
    expect(schema.shape.cursor.description).toBe(
      'nextCursor of the previous page',
    );
  });

  it('refuses a limit out of 1 to 100 or not whole, and a long cursor', () => {
    const schema = z.object(pageInput(z));
    expect(problem(schema, { limit: 0 })).toBe(
      'limit: Number must be greater than or equal to 1',
    );
    expect(problem(schema, { limit: 101 })).toBe(
      'limit: Number must be less than or equal to 100',
    );
    expect(problem(schema, { limit: 1.5 })).toBe(
      'limit: Expected integer, received float',
    );
    expect(problem(schema, { cursor: 'x'.repeat(20) })).toBeUndefined();
    expect(problem(schema, { cursor: 'x'.repeat(21) })).toBe(
      'cursor: String must contain at most 20 character(s)',
    );
  });

  it('takes another default limit and cursor length', () => {
    const schema = z.object(pageInput(z, { defaultLimit: 10, cursor: 200 }));
    expect(schema.parse({})).toEqual({ limit: 10 });
    expect(problem(schema, { cursor: 'x'.repeat(200) })).toBeUndefined();
    expect(problem(schema, { cursor: 'x'.repeat(201) })).toBe(
      'cursor: String must contain at most 200 character(s)',
    );
  });

  it('takes a pattern the cursor must match', () => {
    const schema = z.object(pageInput(z, { cursor: OFFSET_CURSOR }));
    expect(schema.parse({ cursor: '123456789' })).toEqual({
      cursor: '123456789',
      limit: 20,
    });
    expect(problem(schema, { cursor: '1234567890' })).toBe('cursor: Invalid');
    expect(problem(schema, { cursor: 'abc' })).toBe('cursor: Invalid');
  });
});

describe('pageOutput', () => {
  it('is a page of the given items', () => {
    const schema = pageOutput(z, { id: z.string() });
    expect(
      schema.parse({ items: [{ id: 'a' }], totalCount: 3, nextCursor: '1' }),
    ).toEqual({ items: [{ id: 'a' }], totalCount: 3, nextCursor: '1' });
    expect(schema.parse({ items: [], totalCount: 0 })).toEqual({
      items: [],
      totalCount: 0,
    });
    expect(problem(schema, { items: [{ id: 1 }], totalCount: 1 })).toBe(
      'items.0.id: Expected string, received number',
    );
    expect(problem(schema, { items: [] })).toBe('totalCount: Required');
  });
});

describe('mapPage', () => {
  it('makes each item of a page what the output says, keeping the count and cursor', () => {
    const page = {
      items: [{ id: 'a', secret: 1 }],
      totalCount: 2,
      nextCursor: '1',
    };
    const mapped = mapPage(page, ({ id }) => ({ id }));
    expect(mapped).toEqual({
      items: [{ id: 'a' }],
      totalCount: 2,
      nextCursor: '1',
    });
    expect(pageOutput(z, { id: z.string() }).strict().parse(mapped)).toEqual(
      mapped,
    );
    expect(mapPage({ items: [], totalCount: 0 }, (n: number) => n * 2)).toEqual(
      { items: [], totalCount: 0, nextCursor: undefined },
    );
  });
});

describe('entity, group and product inputs', () => {
  it('are optional refs of up to 300 characters, described', () => {
    const schema = z.object({
      entityRef: entityRefInput(z),
      groupRef: groupRefInput(z),
    });
    expect(schema.parse({})).toEqual({});
    expect(problem(schema, { groupRef: 'x'.repeat(301) })).toBe(
      'groupRef: String must contain at most 300 character(s)',
    );
    expect(problem(schema, { entityRef: 3 })).toBe(
      'entityRef: Expected string, received number',
    );
    expect(schema.shape.entityRef.description).toBe(
      'A component, resource or system, e.g. component:default/cart-service',
    );
    expect(schema.shape.groupRef.description).toBe(
      'A team or department, e.g. group:default/team-checkout',
    );
    expect(entityRefInput(z, 'Any entity').description).toBe('Any entity');
    expect(groupRefInput(z, 'Any team').description).toBe('Any team');
  });

  it('entityOrGroupInput describes the group as everything below it', () => {
    const shape = entityOrGroupInput(z);
    expect(shape.entityRef.description).toBe(
      'A component, resource or system, e.g. component:default/cart-service',
    );
    expect(shape.groupRef.description).toBe(
      'A team or department: everything it and the groups below it own',
    );
    const other = entityOrGroupInput(z, { entityRef: 'A domain too' });
    expect(other.entityRef.description).toBe('A domain too');
    expect(other.groupRef.description).toBe(shape.groupRef.description);
    expect(
      z.object(shape).parse({ entityRef: 'component:a', extra: 1 }),
    ).toEqual({ entityRef: 'component:a' });
  });

  it('productRefInput takes only a system or a domain', () => {
    const schema = z.object({ productRef: productRefInput(z) });
    expect(problem(schema, { productRef: 'system:checkout' })).toBeUndefined();
    expect(
      problem(schema, { productRef: 'Domain:default/retail' }),
    ).toBeUndefined();
    expect(problem(schema, { productRef: 'component:checkout' })).toBe(
      'productRef: Invalid',
    );
    expect(problem(schema, {})).toBe('productRef: Required');
    expect(schema.shape.productRef.description).toBe(
      'The product, e.g. system:default/checkout',
    );
    expect(productRefInput(z, 'Shop').description).toBe('Shop');
  });
});

describe('groupRefOf', () => {
  it('gives the canonical ref of a group', () => {
    expect(groupRefOf('group:team-a')).toBe('group:default/team-a');
    expect(groupRefOf('Group:Default/Team-A')).toBe('group:default/team-a');
  });

  it('refuses what is not a group, or not a ref', () => {
    expect(() => groupRefOf('user:default/ben')).toThrow(
      new InputError('groupRef must name a group, not user:default/ben'),
    );
    expect(() => groupRefOf('team-a')).toThrow(
      new InputError(
        'Invalid entity ref: Entity reference "team-a" had missing or empty kind (e.g. did not start with "component:" or similar)',
      ),
    );
    expect(() => groupRefOf('group:')).toThrow(InputError);
  });

  it('takes a ref without a kind as a group when asked to', () => {
    const options = { kindOptional: true };
    expect(groupRefOf('team-a', options)).toBe('group:default/team-a');
    expect(groupRefOf('other/team-a', options)).toBe('group:other/team-a');
    expect(() => groupRefOf('component:a', options)).toThrow(
      new InputError('groupRef must name a group, not component:default/a'),
    );
  });
});

describe('entityOrGroupOf', () => {
  it('gives the canonical entity or group ref', () => {
    expect(entityOrGroupOf({ entityRef: 'component:a' })).toEqual({
      entityRef: 'component:default/a',
    });
    expect(entityOrGroupOf({ groupRef: 'group:x/t' })).toEqual({
      groupRef: 'group:x/t',
    });
    expect(entityOrGroupOf({ entityRef: '', groupRef: 'group:t' })).toEqual({
      groupRef: 'group:default/t',
    });
  });

  it('wants exactly one of them', () => {
    const error = new InputError('Give either entityRef or groupRef');
    expect(() => entityOrGroupOf({})).toThrow(error);
    expect(() => entityOrGroupOf({ entityRef: '', groupRef: '' })).toThrow(
      error,
    );
    expect(() =>
      entityOrGroupOf({ entityRef: 'component:a', groupRef: 'group:t' }),
    ).toThrow(error);
  });

  it('refuses a groupRef that is not a group and an entityRef that is not a ref', () => {
    expect(() => entityOrGroupOf({ groupRef: 'component:a' })).toThrow(
      new InputError('groupRef must name a group, not component:default/a'),
    );
    expect(() => entityOrGroupOf({ entityRef: 'bad' })).toThrow(
      new InputError(
        'Invalid entity ref: Entity reference "bad" had missing or empty kind (e.g. did not start with "component:" or similar)',
      ),
    );
  });
});
