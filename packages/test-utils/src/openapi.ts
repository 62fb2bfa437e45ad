/* eslint-disable jest/no-export -- helpers that define tests and expectations for the packages that call them */
/*
 * The contract test of a backend plugin's OpenAPI spec
 * (src/schema/openapi.yaml), shared by the plugins that have one: the
 * router serves every operation of the spec and only those; real responses
 * validate against the spec for their status, and every status the spec
 * documents (but 500) was seen; the generated code is what `yarn
 * generate:openapi` (the repository's scripts/generate-openapi.mjs) makes of
 * today's spec.
 */
import Ajv from 'ajv';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

type Schema = object;
interface ResponseSpec {
  $ref?: string;
  content?: Record<string, { schema: Schema }>;
}
interface Operation {
  operationId: string;
  responses: Record<string, ResponseSpec>;
}
/** What the helpers read of a spec (the generated `spec` constant). */
export interface OpenApiDoc {
  paths: Record<string, Record<string, Operation>>;
  components: { responses?: Record<string, ResponseSpec> };
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];
/** The route the validated router adds itself: the spec, as JSON. */
const SPEC_ROUTE = 'GET /openapi.json';

const operations = (doc: OpenApiDoc) =>
  Object.entries(doc.paths).flatMap(([route, item]) =>
    METHODS.filter(method => item[method]).map(method => ({
      route,
      method,
      operation: item[method],
    })),
  );

/**
 * Expects a router to serve exactly the spec's operations (as express
 * routes, `GET /entities/:kind/...`), besides the spec itself.
 */
export function expectServesSpec(router: unknown, spec: unknown) {
  const served = ((router as { stack: any[] }).stack as any[])
    .filter(layer => layer.route)
    .flatMap(layer =>
      Object.keys(layer.route.methods)
        .filter(method => method !== '_all')
        .map(method => `${method.toUpperCase()} ${layer.route.path}`),
    );
  expect(served).toContain(SPEC_ROUTE);
  expect(served.filter(route => route !== SPEC_ROUTE).sort()).toEqual(
    operations(spec as OpenApiDoc)
      .map(
        ({ route, method }) =>
          `${method.toUpperCase()} ${route.replace(/\{(\w+)\}/g, ':$1')}`,
      )
      .sort(),
  );
}

/** A supertest request: sent by awaiting it. */
type SentRequest = PromiseLike<{
  status: number;
  headers: Record<string, string>;
  body: any;
  text: string;
}> & { method: string; url: string };

/**
 * Checks real responses against the spec: `send` awaits a supertest request
 * and fails unless the spec documents its status and its body validates
 * against the schema of that status; `expectEveryStatusChecked` (last) that
 * every status the spec documents but 500 was sent.
 *
 * @param basePath - where the plugin's routes are mounted (`/api/bi`)
 */
export function openApiContract(spec: unknown, basePath: string) {
  const doc = spec as OpenApiDoc;
  const ajv = new Ajv({ strict: false, allErrors: true });
  /** `${operationId} ${status}` of each response checked. */
  const checked = new Set<string>();

  function operationOf(method: string, url: string) {
    const { pathname } = new URL(url, 'http://x');
    const local = pathname.startsWith(basePath)
      ? pathname.slice(basePath.length)
      : pathname;
    for (const { route, method: m, operation } of operations(doc)) {
      const pattern = new RegExp(`^${route.replace(/\{\w+\}/g, '[^/]+')}$`);
      if (m === method.toLowerCase() && pattern.test(local)) return operation;
    }
    throw new Error(`${method} ${local} is not in the spec`);
  }

  const resolve = (response: ResponseSpec) =>
    response.$ref
      ? doc.components.responses?.[
          response.$ref.replace('#/components/responses/', '')
        ] ?? {}
      : response;

  async function send(req: SentRequest) {
    const res = await req;
    const operation = operationOf(req.method, req.url);
    const documented = operation.responses[String(res.status)];
    if (!documented) {
      throw new Error(
        `${operation.operationId} answered ${
          res.status
        }, which the spec does not document: ${JSON.stringify(res.body)}`,
      );
    }
    const content = resolve(documented).content ?? {};
    const json = content['application/json']?.schema;
    if (json) {
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      const validate = ajv.compile({ ...json, components: doc.components });
      if (!validate(res.body)) {
        throw new Error(
          `${operation.operationId} ${
            res.status
          } does not match the spec: ${ajv.errorsText(
            validate.errors,
          )}\n${JSON.stringify(res.body, null, 2)}`,
        );
      }
    } else if (content['text/plain']) {
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
    }
    checked.add(`${operation.operationId} ${res.status}`);
    return res;
  }

  function expectEveryStatusChecked() {
    const documented = operations(doc).flatMap(({ operation }) =>
      Object.keys(operation.responses)
        .filter(status => status !== '500')
        .map(status => `${operation.operationId} ${status}`),
    );
    expect([...checked].sort()).toEqual(documented.sort());
  }

  return { send, expectEveryStatusChecked };
}

/**
 * Defines the tests that each generated file of a plugin is what `yarn
 * generate:openapi` makes of its spec today: the spec's and the
 * generator's SHA-256 in its header, and its own content's.
 *
 * @param backend - the backend package, from the repository's root
 * @param client - the common package with the client, if there is one
 */
export function describeGeneratedCode(backend: string, client?: string) {
  // The repository's root: where yarn.lock is, above the package tested.
  let root = process.cwd();
  while (!fs.existsSync(path.join(root, 'yarn.lock'))) {
    const up = path.dirname(root);
    if (up === root) throw new Error('Not inside the repository');
    root = up;
  }
  const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');
  const sha256 = (text: string) =>
    crypto.createHash('sha256').update(text).digest('hex');
  const files = [backend, client]
    .filter((dir): dir is string => !!dir)
    .map(dir => `${dir}/src/schema/openapi/generated`)
    .flatMap(dir =>
      (fs.readdirSync(path.join(root, dir), { recursive: true }) as string[])
        .filter(file => file.endsWith('.ts'))
        .map(file => path.join(dir, file)),
    );

  describe('the generated code', () => {
    it.each(files)(
      '%s is what `yarn generate:openapi` makes of the spec today',
      file => {
        const text = read(file);
        const expected = `openapi.yaml sha256 ${sha256(
          read(`${backend}/src/schema/openapi.yaml`),
        )}, generator sha256 ${sha256(read('scripts/generate-openapi.mjs'))}`;
        const content = /^\/\/ content sha256 (\w+)\n\n/m.exec(text);
        expect(text).toContain(`// ${expected}\n`);
        expect(content).not.toBeNull();
        expect(sha256(text.slice(content!.index + content![0].length))).toBe(
          content![1],
        );
      },
    );
  });
}
