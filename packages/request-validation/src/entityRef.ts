import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';

/** An entity ref in canonical form, from a string or route parameters. */
export function entityRefOf(
  input: string | { kind: string; namespace: string; name: string },
): string {
  try {
    return stringifyEntityRef(
      typeof input === 'string' ? parseEntityRef(input) : input,
    );
  } catch (error) {
    throw new InputError(`Invalid entity ref: ${(error as Error).message}`);
  }
}
