import { AuditorService, HttpAuthService } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import { JsonObject } from '@backstage/types';
import { AnswerEvent } from '@portal/plugin-assistant-common';
import { createValidatedRouter } from '@portal/request-validation';
import express from 'express';
import { ConversationStore } from '../database/ConversationStore';
import { createOpenApiRouter } from '../schema/openapi';
import { AssistantService } from '../service/AssistantService';

/** A request, as httpAuth and the auditor read it. */
type Req = Parameters<HttpAuthService['credentials']>[0];

/**
 * The assistant's routes, for people only: their conversations, and
 * answers streamed as server-sent events (see AnswerEvent). The spec
 * (src/schema/openapi.yaml) checks parameters and bodies before the
 * routes: an unknown or out-of-bounds one answers 400 naming it, and its
 * refusals of a mutation are audited as that mutation's failures.
 */
export async function createRouter(deps: {
  httpAuth: HttpAuthService;
  auditor: AuditorService;
  store: ConversationStore;
  assistant: AssistantService;
  /** Where MCP clients connect, for the status. */
  mcpEndpoint: string;
}): Promise<express.Router> {
  const { httpAuth, auditor, store, assistant } = deps;
  const router = await createValidatedRouter({
    createOpenApiRouter,
    auditor,
    bodyParser: express.json({ limit: '64kb' }),
    auditedRoutes: [
      {
        method: 'POST',
        path: /^\/conversations$/,
        eventId: 'assistant-conversation-create',
        severityLevel: 'low',
      },
      {
        method: 'DELETE',
        path: /^\/conversations\/[^/]+$/,
        eventId: 'assistant-conversation-delete',
        severityLevel: 'low',
      },
      {
        method: 'POST',
        path: /^\/conversations\/[^/]+\/messages$/,
        eventId: 'assistant-question',
        severityLevel: 'low',
      },
      {
        method: 'POST',
        path: /^\/conversations\/[^/]+\/proposals\/[^/]+$/,
        eventId: 'assistant-proposal-decision',
        severityLevel: 'medium',
      },
    ],
  });

  async function person(req: Req) {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    return { credentials, userRef: credentials.principal.userEntityRef };
  }

  /**
   * Runs a mutation inside an audit event of its own (low, but medium for a
   * decision on a proposed action, which may run one).
   */
  async function audited<T>(
    req: Req,
    eventId: string,
    meta: JsonObject,
    fn: () => Promise<T>,
  ): Promise<T> {
    const event = await auditor.createEvent({
      eventId,
      severityLevel:
        eventId === 'assistant-proposal-decision' ? 'medium' : 'low',
      request: req,
      meta,
    });
    try {
      const result = await fn();
      await event.success();
      return result;
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  }

  router.get('/status', async (req, res) => {
    await person(req);
    res.json(assistant.status(deps.mcpEndpoint));
  });

  router.get('/conversations', async (req, res) => {
    const { userRef } = await person(req);
    const { cursor, limit } = req.query;
    res.json(await store.list(userRef, { cursor, limit: Number(limit ?? 20) }));
  });

  router.post('/conversations', async (req, res) => {
    const { userRef } = await person(req);
    const title = req.body?.title?.trim();
    const conversation = await audited(
      req,
      'assistant-conversation-create',
      {},
      () => store.create(userRef, title || 'New conversation'),
    );
    res.status(201).json(conversation);
  });

  router.get('/conversations/:id', async (req, res) => {
    const { userRef } = await person(req);
    const { id } = req.params;
    const conversation = await store.get(userRef, id);
    if (!conversation) {
      throw new NotFoundError(`There is no conversation ${id} of yours`);
    }
    res.json(conversation);
  });

  router.delete('/conversations/:id', async (req, res) => {
    const { userRef } = await person(req);
    const { id } = req.params;
    await audited(req, 'assistant-conversation-delete', { id }, async () => {
      if (!(await store.delete(userRef, id))) {
        throw new NotFoundError(`There is no conversation ${id} of yours`);
      }
    });
    res.status(204).end();
  });

  /** The person confirms or cancels an action the assistant proposed. */
  router.post('/conversations/:id/proposals/:proposalId', async (req, res) => {
    const { credentials, userRef } = await person(req);
    const { id, proposalId } = req.params;
    const { decision } = req.body;
    const proposal = await audited(
      req,
      'assistant-proposal-decision',
      { conversationId: id, proposalId, decision },
      () =>
        assistant.decide({
          credentials,
          userRef,
          conversationId: id,
          proposalId,
          decision,
        }),
    );
    res.json(proposal);
  });

  /**
   * A question, answered as server-sent events: `tool` and `tool-result`
   * as the assistant calls tools, `text` as it writes, then `done` with
   * the stored answer (or `error`). What can be refused is refused before
   * the stream starts, with a status that says why.
   */
  router.post('/conversations/:id/messages', async (req, res) => {
    const { credentials, userRef } = await person(req);
    const { id } = req.params;
    const question = assistant.check(req.body.content);
    if (!(await store.get(userRef, id))) {
      throw new NotFoundError(`There is no conversation ${id} of yours`);
    }

    res.status(200);
    res.setHeader('content-type', 'text/event-stream; charset=utf-8');
    res.setHeader('cache-control', 'no-cache, no-transform');
    res.setHeader('x-accel-buffering', 'no');
    res.flushHeaders();
    const send = (event: AnswerEvent) => {
      if (res.writableEnded) return;
      const { type, ...data } = event;
      res.write(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    const gone = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) gone.abort();
    });

    try {
      const message = await audited(
        req,
        'assistant-question',
        { conversationId: id },
        () =>
          assistant.ask({
            credentials,
            userRef,
            conversationId: id,
            question,
            emit: send,
            signal: gone.signal,
          }),
      );
      send({ type: 'done', message });
    } catch (error) {
      send({ type: 'error', message: (error as Error).message });
    }
    res.end();
  });

  return router;
}
