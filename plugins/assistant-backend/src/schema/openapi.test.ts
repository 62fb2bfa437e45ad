/*
 * The contract: src/schema/openapi.yaml and the router agree. Every route
 * the router serves is an operation of the spec and every operation is
 * served; real responses of the plugin (started with a scripted model, and
 * once without a model for the 503), one for each status the spec
 * documents, validate against the spec's schema for that status; and the
 * generated code (the spec as TypeScript here, the client and models in
 * @portal/plugin-assistant-common) is what `yarn generate:openapi` makes of
 * the spec today.
 */
import { createBackendPlugin } from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import {
  actionsRegistryServiceFactory,
  actionsServiceFactory,
} from '@backstage/backend-defaults/alpha';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { JsonObject } from '@backstage/types';
import openAiModule from '@portal/plugin-assistant-backend-module-openai';
import {
  describeGeneratedCode,
  expectServesSpec,
  openApiContract,
} from '@portal/test-utils/openapi';
import {
  ScriptedModel,
  startScriptedModel,
} from '@portal/test-utils/scriptedModel';
import request from 'supertest';
import { createRouter } from '../api/router';
import { ConversationStore } from '../database/ConversationStore';
import { assistantPlugin } from '../plugin';
import { AssistantService } from '../service/AssistantService';
import { spec } from './openapi';

const NOBODY = '00000000-0000-4000-8000-000000000000';

/** A plugin with one action that writes, which the assistant may propose. */
const notesPlugin = createBackendPlugin({
  pluginId: 'notes',
  register(env) {
    env.registerInit({
      deps: { actionsRegistry: actionsRegistryServiceRef },
      async init({ actionsRegistry }) {
        actionsRegistry.register({
          name: 'add-note',
          title: 'Add a note',
          description: 'Adds a note to a service.',
          attributes: {
            readOnly: false,
            destructive: false,
            idempotent: false,
          },
          schema: {
            input: z => z.object({ text: z.string() }),
            output: z => z.object({ added: z.boolean() }),
          },
          action: async () => ({ output: { added: true } }),
        });
      },
    });
  },
});

describe('the router and src/schema/openapi.yaml', () => {
  it('serves every operation of the spec, and only those', async () => {
    const router = await createRouter({
      httpAuth: mockServices.httpAuth(),
      auditor: mockServices.auditor.mock(),
      store: {} as ConversationStore,
      assistant: {} as AssistantService,
      mcpEndpoint: 'http://localhost:7007/api/mcp-actions/v1',
    });
    expectServesSpec(router, spec);
  });

  describe('answers what the spec says', () => {
    const contract = openApiContract(spec, '/api/assistant');
    let model: ScriptedModel;
    const stops: Array<() => Promise<void>> = [];

    async function start(assistant?: JsonObject) {
      const backend = await startTestBackend({
        features: [
          actionsRegistryServiceFactory,
          actionsServiceFactory,
          assistantPlugin,
          openAiModule,
          notesPlugin,
          mockServices.rootConfig.factory({
            data: {
              backend: {
                baseUrl: 'http://localhost:7007',
                actions: { pluginSources: ['notes'] },
              },
              ...(assistant ? { assistant } : {}),
            },
          }),
        ],
      });
      stops.push(() => backend.stop());
      return backend.server;
    }

    let server: Awaited<ReturnType<typeof start>>;
    let unconfigured: Awaited<ReturnType<typeof start>>;

    beforeAll(async () => {
      // Proposes a note when asked for one, else answers.
      model = await startScriptedModel(req =>
        JSON.stringify(req.body.messages).includes('Add a note') &&
        req.body.messages.at(-1).role === 'user'
          ? {
              toolCalls: [
                { name: 'notes__add-note', arguments: '{"text":"Hello"}' },
              ],
            }
          : { text: 'All is well.' },
      );
      server = await start({
        confirmableActions: ['notes:add-note'],
        openai: { baseUrl: model.baseUrl, model: 'scripted', apiKey: 'k' },
        limits: { timeoutSeconds: 10 },
      });
      unconfigured = await start();
    }, 120_000);

    afterAll(async () => {
      for (const stop of stops) await stop();
      await model?.close();
    });

    const alice = mockCredentials.user.header('user:default/alice');
    const bob = mockCredentials.user.header('user:default/bob');
    const nobody = mockCredentials.none.header();
    const machine = mockCredentials.service.header();

    const get = (path: string, authorization = alice, on = server) =>
      contract.send(
        request(on)
          .get(`/api/assistant${path}`)
          .set('authorization', authorization),
      );
    const post = (
      path: string,
      body: unknown,
      authorization = alice,
      on = server,
    ) =>
      contract.send(
        request(on)
          .post(`/api/assistant${path}`)
          .set('authorization', authorization)
          .set('content-type', 'application/json')
          .send(typeof body === 'string' ? body : JSON.stringify(body)),
      );
    const del = (path: string, authorization = alice) =>
      contract.send(
        request(server)
          .delete(`/api/assistant${path}`)
          .set('authorization', authorization),
      );

    it('on the status', async () => {
      expect((await get('/status')).body.configured).toBe(true);
      expect((await get('/status', nobody)).status).toBe(401);
      expect((await get('/status', machine)).status).toBe(403);
    });

    it('on the conversations', async () => {
      const created = await post('/conversations', { title: 'Budgets' });
      expect(created.status).toBe(201);
      const { id } = created.body;
      expect((await post('/conversations', {})).status).toBe(201);
      expect((await post('/conversations', { title: '' })).status).toBe(400);
      expect((await post('/conversations', { owner: 'bob' })).status).toBe(400);
      expect(
        (await post('/conversations', { title: 'x'.repeat(70_000) })).status,
      ).toBe(413);
      expect((await post('/conversations', {}, nobody)).status).toBe(401);
      expect((await post('/conversations', {}, machine)).status).toBe(403);

      const page = await get('/conversations?limit=1');
      expect(page.status).toBe(200);
      expect(page.body).toMatchObject({ totalCount: 2, nextCursor: '1' });
      expect((await get('/conversations?limit=0')).status).toBe(400);
      expect((await get('/conversations?cursor=abc')).status).toBe(400);
      expect((await get('/conversations', nobody)).status).toBe(401);
      expect((await get('/conversations', machine)).status).toBe(403);

      expect((await get(`/conversations/${id}`)).body.title).toBe('Budgets');
      expect((await get('/conversations/not-an-id')).status).toBe(400);
      expect((await get(`/conversations/${id}`, bob)).status).toBe(404);
      expect((await get(`/conversations/${id}`, nobody)).status).toBe(401);
      expect((await get(`/conversations/${id}`, machine)).status).toBe(403);

      expect((await del(`/conversations/${id}`, bob)).status).toBe(404);
      expect((await del('/conversations/not-an-id')).status).toBe(400);
      expect((await del(`/conversations/${id}`, nobody)).status).toBe(401);
      expect((await del(`/conversations/${id}`, machine)).status).toBe(403);
      expect((await del(`/conversations/${id}`)).status).toBe(204);
    });

    it('on questions', async () => {
      const { id } = (await post('/conversations', {})).body;
      const asked = await post(`/conversations/${id}/messages`, {
        content: 'How are we?',
      });
      expect(asked.status).toBe(200);
      expect(asked.headers['content-type']).toMatch(/^text\/event-stream/);
      expect(asked.text).toMatch(/event: done/);

      const ask = (body: unknown, authorization = alice, on = server) =>
        post(`/conversations/${id}/messages`, body, authorization, on);
      expect((await ask({ content: 'Hi', tools: ['x'] })).status).toBe(400);
      expect((await ask({})).status).toBe(400);
      expect((await ask({ content: 'x'.repeat(70_000) })).status).toBe(413);
      expect((await ask({ content: 'Hi' }, nobody)).status).toBe(401);
      expect((await ask({ content: 'Hi' }, machine)).status).toBe(403);
      expect((await ask({ content: 'Hi' }, bob)).status).toBe(404);
      expect(
        (await post(`/conversations/${NOBODY}/messages`, { content: 'Hi' }))
          .status,
      ).toBe(404);
      const none = await ask({ content: 'Hi' }, alice, unconfigured);
      expect(none.status).toBe(503);
      expect(none.body.error.message).toMatch(/No model is configured/);
    });

    it('on decisions about proposed actions', async () => {
      const { id } = (await post('/conversations', {})).body;
      const asked = await post(`/conversations/${id}/messages`, {
        content: 'Add a note',
      });
      const proposalId = /"proposal":\{"id":"([^"]+)"/.exec(asked.text)?.[1];
      expect(proposalId).toBeDefined();
      const path = `/conversations/${id}/proposals/${proposalId}`;
      expect((await post(path, { decision: 'maybe' })).status).toBe(400);
      expect(
        (await post(`/conversations/${id}/proposals/x`, { decision: 'cancel' }))
          .status,
      ).toBe(400);
      expect((await post(path, { decision: 'confirm' }, nobody)).status).toBe(
        401,
      );
      expect((await post(path, { decision: 'confirm' }, machine)).status).toBe(
        403,
      );
      expect((await post(path, { decision: 'confirm' }, bob)).status).toBe(404);
      const confirmed = await post(path, { decision: 'confirm' });
      expect(confirmed.status).toBe(200);
      expect(confirmed.body).toMatchObject({
        status: 'done',
        output: { added: true },
      });
      expect((await post(path, { decision: 'cancel' })).status).toBe(409);
    });

    it('for every status the spec documents but 500', () => {
      contract.expectEveryStatusChecked();
    });
  });
});

describeGeneratedCode('plugins/assistant-backend', 'plugins/assistant-common');
