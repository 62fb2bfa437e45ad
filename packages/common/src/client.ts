import { parseEntityRef } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';

/**
 * A fetch response whose `json()` is the body of type T: the shape of the
 * `TypedResponse` every family's generated client (`DefaultApiClient`)
 * answers, so that the helpers below take any of them.
 *
 * @public
 */
export type TypedResponse<T> = Omit<Response, 'json'> & {
  json(): Promise<T>;
};

/**
 * The response of a generated client's call when it succeeded; otherwise
 * the backend's error, as a `ResponseError` (from `@backstage/errors`).
 *
 * @public
 */
export async function okResponse<T>(
  response: Promise<TypedResponse<T>>,
): Promise<TypedResponse<T>> {
  const res = await response;
  if (!res.ok) throw await ResponseError.fromResponse(res);
  return res;
}

/**
 * The body of a generated client's successful response; otherwise the
 * backend's error, as a `ResponseError`.
 *
 * @public
 */
export async function bodyOf<T>(
  response: Promise<TypedResponse<T>>,
): Promise<T> {
  return (await okResponse(response)).json();
}

/**
 * An entity's ref (`component:default/cart`) as the path parameters of the
 * families' routes under `/entities/{kind}/{namespace}/{name}`.
 *
 * @public
 */
export function entityPath(ref: string): {
  kind: string;
  namespace: string;
  name: string;
} {
  const { kind, namespace, name } = parseEntityRef(ref);
  return { kind, namespace, name };
}

/**
 * A group's ref (`group:default/team-a`) as the path parameters of the
 * families' routes under `/groups/{namespace}/{name}`.
 *
 * @public
 */
export function groupPath(ref: string): { namespace: string; name: string } {
  const { namespace, name } = parseEntityRef(ref);
  return { namespace, name };
}
