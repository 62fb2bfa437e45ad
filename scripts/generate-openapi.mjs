#!/usr/bin/env node
/*
 * Generates, from a backend plugin's `src/schema/openapi.yaml`, what
 * `backstage-repo-tools package schema openapi generate --server
 * --client-package <common package>` would, without the OpenAPI Generator
 * jar (repo-tools downloads it from Maven Central, which this build cannot
 * reach), from npm packages only:
 *
 * - server, in the backend's `src/schema/openapi/generated/`: `router.ts`,
 *   the spec as a TypeScript constant and `createOpenApiRouter`, Backstage's
 *   validated OpenAPI router typed by the spec;
 * - client, in the common package's `src/schema/openapi/generated/`: a
 *   model per schema of `components.schemas` (`models/*.model.ts`) and
 *   `DefaultApiClient` (`apis/DefaultApi.client.ts`), one method per
 *   operation, which takes `{ discoveryApi, fetchApi }` like Backstage's
 *   generated clients and uses only what browsers and Node both have (fetch,
 *   URLSearchParams, encodeURIComponent).
 *
 * Every file is formatted with the repository's prettier settings and heads
 * with the SHA-256 of the spec, of this script and of its own content, which
 * the contract test (src/schema/openapi.test.ts) checks, so that a spec
 * edited without regenerating, or a generated file edited by hand, fails.
 *
 * One script for every backend plugin, at the repository's root. Usage, in
 * the backend package (its `yarn generate:openapi`): node
 * ../../scripts/generate-openapi.mjs [--client-package <path from the
 * repository root>]
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import prettier from 'prettier';

const SCRIPT = fileURLToPath(import.meta.url);
const OUTPUT = 'src/schema/openapi/generated';

export const sha256 = text =>
  crypto.createHash('sha256').update(text).digest('hex');

/** TypeScript's and the generator's names that a model may not take. */
const RESERVED = new Set(['Error', 'Date', 'Object', 'Array', 'Response']);
const modelName = name => (RESERVED.has(name) ? `Model${name}` : name);
const refName = ref => modelName(ref.replace('#/components/schemas/', ''));
const camel = id => id.charAt(0).toLowerCase() + id.slice(1);
const pascal = id => id.charAt(0).toUpperCase() + id.slice(1);
const key = name => (/^[A-Za-z_$][\w$]*$/.test(name) ? name : `'${name}'`);

function doc(description, indent = '', tags = []) {
  const lines = [
    ...(description ? description.trim().split('\n') : []),
    ...tags,
  ];
  if (!lines.length) return '';
  return `${indent}/**\n${lines
    .map(l => `${indent} * ${l.replace(/\*\//g, '*\\/')}`.trimEnd())
    .join('\n')}\n${indent} */\n`;
}

/** The TypeScript type of a schema, with the models it refers to. */
function typeOf(schema, refs) {
  if (schema.$ref) {
    refs.add(refName(schema.$ref));
    return refName(schema.$ref);
  }
  let type;
  if (schema.enum) {
    type = schema.enum
      .map(v => JSON.stringify(v).replace(/"/g, "'"))
      .join(' | ');
  } else if (schema.type === 'array') {
    type = `Array<${typeOf(schema.items ?? {}, refs)}>`;
  } else if (schema.type === 'object' || schema.properties) {
    type = objectType(schema, refs, '');
  } else if (schema.type === 'integer' || schema.type === 'number') {
    type = 'number';
  } else if (schema.type === 'string' || schema.type === 'boolean') {
    type = schema.type;
  } else {
    type = 'unknown';
  }
  return schema.nullable ? `${type} | null` : type;
}

function objectType(schema, refs, indent) {
  const required = new Set(schema.required ?? []);
  const members = Object.entries(schema.properties ?? {}).map(
    ([name, property]) =>
      `${doc(property.description, `${indent}  `)}${indent}  ${key(name)}${
        required.has(name) ? '' : '?'
      }: ${typeOf(property, refs)};`,
  );
  const extra = schema.additionalProperties;
  if (extra && extra !== false) {
    members.push(
      `${indent}  [key: string]: ${
        extra === true ? 'unknown' : typeOf(extra, refs)
      };`,
    );
  }
  return `{\n${members.join('\n')}\n${indent}}`;
}

function renderModel(name, schema) {
  const refs = new Set();
  const isObject =
    (schema.type === 'object' || schema.properties) && !schema.nullable;
  const body = isObject
    ? `export interface ${modelName(name)} ${objectType(schema, refs, '')}`
    : `export type ${modelName(name)} = ${typeOf(schema, refs)};`;
  refs.delete(modelName(name));
  const imports = [...refs]
    .sort()
    .map(ref => `import { ${ref} } from './${ref}.model';`)
    .join('\n');
  return `${imports}${imports ? '\n\n' : ''}${doc(schema.description, '', [
    '@public',
  ])}${body}\n`;
}

/** The parameters of an operation, with `$ref`s resolved. */
function parametersOf(spec, operation) {
  return (operation.parameters ?? []).map(p =>
    p.$ref
      ? spec.components.parameters[
          p.$ref.replace('#/components/parameters/', '')
        ]
      : p,
  );
}

function operationsOf(spec) {
  const methods = ['get', 'put', 'post', 'delete', 'patch'];
  return Object.entries(spec.paths).flatMap(([route, item]) =>
    methods
      .filter(method => item[method])
      .map(method => ({ route, method, operation: item[method] })),
  );
}

/**
 * What a successful response is: its schema and, when it is not JSON (a
 * `text/event-stream`, say), the media type the client asks for in Accept.
 */
function success(operation) {
  const [, response] =
    Object.entries(operation.responses).find(([status]) =>
      /^2\d\d$/.test(status),
    ) ?? [];
  const content = response?.content ?? {};
  if (content['application/json']) {
    return { schema: content['application/json'].schema };
  }
  const [accept, media] = Object.entries(content)[0] ?? [];
  return { schema: media?.schema, accept };
}

function renderClient(spec, pluginId) {
  const refs = new Set();
  const requestTypes = [];
  const methods = [];
  for (const { route, method, operation } of operationsOf(spec)) {
    const id = operation.operationId;
    if (!id)
      throw new Error(`${method.toUpperCase()} ${route} has no operationId`);
    const params = parametersOf(spec, operation);
    const group = where => {
      const list = params.filter(p => p.in === where);
      if (!list.length) return undefined;
      return `{\n${list
        .map(
          p =>
            `${doc(p.description, '    ')}    ${key(p.name)}${
              p.required ? '' : '?'
            }: ${typeOf(p.schema ?? {}, refs)};`,
        )
        .join('\n')}\n  }`;
    };
    const pathParams = group('path');
    const query = group('query');
    const body = operation.requestBody?.content?.['application/json']?.schema;
    const members = [
      pathParams && `  path: ${pathParams};`,
      query && `  query: ${query};`,
      body && `  body: ${typeOf(body, refs)};`,
    ].filter(Boolean);
    requestTypes.push(
      `${doc(undefined, '', ['@public'])}export type ${pascal(id)} = ${
        members.length ? `{\n${members.join('\n')}\n}` : '{}'
      };`,
    );
    const { schema: result, accept } = success(operation);
    const resultType = result ? typeOf(result, refs) : 'void';
    const uri = route.replace(
      /\{(\w+)\}/g,
      (_, name) => `\${encodeURIComponent(request.path.${name})}`,
    );
    methods.push(`${doc(
      [operation.summary, operation.description].filter(Boolean).join('\n\n'),
      '  ',
    )}  public async ${camel(id)}(
    ${members.length ? 'request' : '_request'}: ${pascal(id)},
    options?: RequestOptions,
  ): Promise<TypedResponse<${resultType}>> {
    const baseUrl = await this.discoveryApi.getBaseUrl(pluginId);
    return await this.fetchApi.fetch(
      \`\${baseUrl}${uri}${query ? '${queryOf(request.query)}' : ''}\`,
      {
        headers: {
          ${body ? "'Content-Type': 'application/json',\n" : ''}${
      accept ? `Accept: '${accept}',\n` : ''
    }...(options?.token && {
            Authorization: \`Bearer \${options.token}\`,
          }),
        },
        method: '${method.toUpperCase()}',${
      body ? '\n        body: JSON.stringify(request.body),' : ''
    }
        signal: options?.signal,
      },
    );
  }`);
  }
  const imports = [...refs]
    .sort()
    .map(ref => `import { ${ref} } from '../models/${ref}.model';`)
    .join('\n');
  return `import { pluginId } from '../pluginId';
${imports}

/**
 * Wraps the Response type to convey a type on the json call.
 *
 * @public
 */
export type TypedResponse<T> = Omit<Response, 'json'> & {
  json: () => Promise<T>;
};

/**
 * Options you can pass into a request for additional information.
 *
 * @public
 */
export interface RequestOptions {
  /** A token to send as the bearer (backend-to-backend calls). */
  token?: string;
  /** Aborts the request (and the reading of a streamed answer). */
  signal?: AbortSignal;
}

${requestTypes.join('\n')}

/** A query string of the defined values, repeated keys for arrays. */
function queryOf(query: Record<string, unknown>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item !== undefined && item !== null) params.append(name, String(item));
    }
  }
  const text = params.toString();
  return text ? \`?\${text}\` : '';
}

/**
 * The ${pluginId} backend's operations, one method each, answering the
 * fetch response typed by the spec. In a browser, give it the app's
 * discoveryApi and fetchApi (which sends the person's token); in a backend,
 * the discovery service and a token from \`auth.getPluginRequestToken\`.
 *
 * @public
 */
export class DefaultApiClient {
  private readonly discoveryApi: {
    getBaseUrl(pluginId: string): Promise<string>;
  };
  private readonly fetchApi: { fetch: typeof fetch };

  constructor(options: {
    discoveryApi: { getBaseUrl(pluginId: string): Promise<string> };
    fetchApi?: { fetch: typeof fetch };
  }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi ?? {
      fetch: (input, init) => globalThis.fetch(input, init),
    };
  }

${methods.join('\n\n')}
}
`;
}

function renderRouter(spec) {
  return `import { createValidatedOpenApiRouter } from '@backstage/backend-openapi-utils';

export const spec = ${JSON.stringify(spec, null, 2)} as const;

export const createOpenApiRouter = async (
  options?: Parameters<typeof createValidatedOpenApiRouter>['1'],
) => createValidatedOpenApiRouter<typeof spec>(spec, options);
`;
}

/** Every generated file, by its path from the repository root. */
export function render({
  spec,
  specText,
  generatorText,
  backend,
  client,
  pluginId,
}) {
  const files = new Map();
  const server = `${backend}/${OUTPUT}`;
  files.set(`${server}/router.ts`, renderRouter(spec));
  files.set(`${server}/index.ts`, `export * from './router';\n`);
  if (client) {
    const dir = `${client}/${OUTPUT}`;
    const names = Object.keys(spec.components?.schemas ?? {});
    for (const name of names) {
      files.set(
        `${dir}/models/${modelName(name)}.model.ts`,
        renderModel(name, spec.components.schemas[name]),
      );
    }
    files.set(
      `${dir}/models/index.ts`,
      names
        .map(name => `export * from './${modelName(name)}.model';\n`)
        .join(''),
    );
    files.set(`${dir}/apis/DefaultApi.client.ts`, renderClient(spec, pluginId));
    files.set(`${dir}/apis/index.ts`, `export * from './DefaultApi.client';\n`);
    files.set(
      `${dir}/pluginId.ts`,
      `export const pluginId = ${JSON.stringify(pluginId).replace(
        /"/g,
        "'",
      )};\n`,
    );
    files.set(
      `${dir}/index.ts`,
      `export * from './apis';\nexport * from './models';\nexport * from './pluginId';\n`,
    );
  }
  const hashes = `openapi.yaml sha256 ${sha256(
    specText,
  )}, generator sha256 ${sha256(generatorText)}`;
  for (const [file, content] of files) {
    const options = {
      ...prettier.resolveConfig.sync(file),
      filepath: file,
    };
    const body = prettier.format(content, options);
    files.set(file, `${header(backend, hashes, sha256(body))}\n${body}`);
  }
  return files;
}

function header(backend, hashes, contentHash) {
  return `//

// ******************************************************************
// * THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY. *
// ******************************************************************
// From ${backend}/src/schema/openapi.yaml, by \`yarn generate:openapi\` in
// ${backend} (the repository's scripts/generate-openapi.mjs).
// ${hashes}
// content sha256 ${contentHash}
`;
}

function main() {
  const args = process.argv.slice(2);
  const at = args.indexOf('--client-package');
  const cwd = process.cwd();
  let root = cwd;
  while (!fs.existsSync(path.join(root, 'yarn.lock'))) {
    const up = path.dirname(root);
    if (up === root) throw new Error('Not inside the repository');
    root = up;
  }
  const backend = path.relative(root, cwd);
  const client = at >= 0 ? args[at + 1] : undefined;
  const specText = fs.readFileSync(
    path.join(cwd, 'src/schema/openapi.yaml'),
    'utf8',
  );
  const pluginId = JSON.parse(
    fs.readFileSync(path.join(cwd, 'package.json'), 'utf8'),
  ).backstage.pluginId;
  const files = render({
    spec: yaml.load(specText),
    specText,
    generatorText: fs.readFileSync(SCRIPT, 'utf8'),
    backend,
    client,
    pluginId,
  });
  for (const dir of [backend, client].filter(Boolean)) {
    fs.rmSync(path.join(root, dir, OUTPUT), { recursive: true, force: true });
  }
  for (const [file, content] of files) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), content);
  }
  for (const dir of [backend, client].filter(Boolean)) {
    const index = path.join(root, dir, 'src/schema/openapi/index.ts');
    if (!fs.existsSync(index)) {
      fs.writeFileSync(index, `export * from './generated';\n`);
    }
  }
  console.log(
    `Generated ${files.size} files:\n${[...files.keys()].join('\n')}`,
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === SCRIPT) main();
