/**
 * Validation of HTTP request input shared by the portal's backend plugins:
 * every query and body goes through a zod schema, and a bad one gets a 400
 * that names the field and what is wrong with it.
 *
 * @packageDocumentation
 */
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { z } from 'zod/v3';

/** Parses input with a schema; throws an InputError naming the first problem. */
export function parseRequest<T extends z.ZodTypeAny>(
  schema: T,
  value: unknown,
): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
    throw new InputError(`Invalid request, ${where}${issue.message}`);
  }
  return result.data;
}

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

export { ByteLimit, PayloadTooLargeError } from './bodyLimit';
export { decodeUpload } from './upload';
export type { DecodedUpload, UploadLimits } from './upload';
export { auditedBodyParser } from './auditedBody';
export { createValidatedRouter } from './validatedRouter';
export type { AuditedRoute, RoutedRequest } from './validatedRouter';
