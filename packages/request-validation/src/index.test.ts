import { InputError } from '@backstage/errors';
import { z } from 'zod/v3';
import { entityRefOf, parseRequest } from '.';

describe('parseRequest', () => {
  const schema = z.object({ days: z.coerce.number().int().min(1).max(400) });

  it('gives the parsed value', () => {
    expect(parseRequest(schema, { days: '30' })).toEqual({ days: 30 });
  });

  it('names the field and the problem', () => {
    expect(() => parseRequest(schema, { days: '0' })).toThrow(
      new InputError(
        'Invalid request, days: Number must be greater than or equal to 1',
      ),
    );
  });
});

describe('entityRefOf', () => {
  it('makes refs canonical', () => {
    expect(
      entityRefOf({ kind: 'Component', namespace: 'default', name: 'a' }),
    ).toBe('component:default/a');
    expect(entityRefOf('group:team-x')).toBe('group:default/team-x');
  });

  it('refuses what is not a ref', () => {
    expect(() => entityRefOf('component:')).toThrow(InputError);
  });
});
