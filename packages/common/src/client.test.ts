import { ResponseError } from '@backstage/errors';
import { bodyOf, entityPath, groupPath, okResponse, TypedResponse } from '.';

/** A response as a generated client gives it. */
function respond<T>(
  status: number,
  body: unknown,
  statusText = '',
): Promise<TypedResponse<T>> {
  return Promise.resolve(
    new Response(body === undefined ? null : JSON.stringify(body), {
      status,
      statusText,
      headers: { 'Content-Type': 'application/json' },
    }),
  );
}

describe('bodyOf', () => {
  it('gives the body of a successful response', async () => {
    await expect(
      bodyOf(respond<{ items: string[] }>(200, { items: ['a'] })),
    ).resolves.toEqual({ items: ['a'] });
  });

  it("throws the backend's error as a ResponseError", async () => {
    const error = (await bodyOf(
      respond(
        403,
        {
          error: { name: 'NotAllowedError', message: 'Not yours' },
          response: { statusCode: 403 },
        },
        'Forbidden',
      ),
    ).catch(e => e)) as ResponseError;
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.response.status).toBe(403);
    expect(error.body.error).toEqual({
      name: 'NotAllowedError',
      message: 'Not yours',
    });
    expect(error.message).toBe('Request failed with 403 Forbidden');
    expect(error.cause?.message).toBe('Not yours');
  });
});

describe('okResponse', () => {
  it('gives the response itself when it succeeded, unread', async () => {
    const res = await okResponse(respond<void>(204, undefined));
    expect(res.status).toBe(204);
    expect(res.bodyUsed).toBe(false);
  });

  it('throws a ResponseError otherwise', async () => {
    await expect(
      okResponse(respond(500, { error: { name: 'Error', message: 'Boom' } })),
    ).rejects.toBeInstanceOf(ResponseError);
  });
});

describe('entityPath and groupPath', () => {
  it("give a ref's path parameters", () => {
    expect(['component:default/cart', 'System:shop'].map(entityPath)).toEqual([
      { kind: 'component', namespace: 'default', name: 'cart' },
      { kind: 'System', namespace: 'default', name: 'shop' },
    ]);
    expect(groupPath('group:other/team-a')).toEqual({
      namespace: 'other',
      name: 'team-a',
    });
  });

  it('refuse what is not a ref', () => {
    expect(() => entityPath('cart')).toThrow(/missing or empty kind/);
    expect(() => groupPath('group:')).toThrow(TypeError);
  });
});
