/**
 * Validation of HTTP request input shared by the portal's backend plugins:
 * every query and body goes through a zod schema, and a bad one gets a 400
 * that names the field and what is wrong with it.
 *
 * @packageDocumentation
 */
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

export { entityRefOf } from './entityRef';

export { ByteLimit, PayloadTooLargeError } from './bodyLimit';
export { decodeUpload } from './upload';
export type { DecodedUpload, UploadLimits } from './upload';
export { auditedBodyParser } from './auditedBody';
export { createValidatedRouter } from './validatedRouter';
export type { AuditedRoute, RoutedRequest } from './validatedRouter';
export {
  READ_ONLY_ACTION,
  OFFSET_CURSOR,
  pageInput,
  pageOutput,
  mapPage,
  entityRefInput,
  groupRefInput,
  entityOrGroupInput,
  productRefInput,
  groupRefOf,
  entityOrGroupOf,
} from './actions';
export type { ActionZod, PageInputOptions } from './actions';
