import { AuditorService, HttpAuthService } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import { JsonObject } from '@backstage/types';
import { AnswerEvent } from '@portal/plugin-assistant-common';
import { auditedBodyParser, parseRequest } from '@portal/request-validation';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod/v3';
import { ConversationStore } from '../database/ConversationStore';
import { AssistantService } from '../service/AssistantService';

const pageQuery = z
  .object({
    cursor: z
      .string()
      .regex(/^\d{1,9}$/, 'must be a page cursor')
      .optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
  })
  .strict();

const conversationBody = z
  .object({ title: z.string().trim().min(1).max(200).optional() })
  .strict();

const messageBody = z.object({ content: z.unknown() }).strict();

const conversationId = z.string().uuid('must be a conversation id');

/**
 * The assistant's routes, for people only: their conversations, and
 * answers streamed as server-sent events (see AnswerEvent).
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
  const router = Router();
  router.use(
    auditedBodyParser<express.Request>(
      express.json({ limit: '64kb' }),
      auditor,
    ),
  );

  async function person(req: express.Request) {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    return { credentials, userRef: credentials.principal.userEntityRef };
  }

  /** Runs a mutation inside an audit event of its own. */
  async function audited<T>(
    req: express.Request,
    eventId: string,
    meta: JsonObject,
    fn: () => Promise<T>,
  ): Promise<T> {
    const event = await auditor.createEvent({
      eventId,
      severityLevel: 'low',
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
    res.json(await store.list(userRef, parseRequest(pageQuery, req.query)));
  });

  router.post('/conversations', async (req, res) => {
    const { userRef } = await person(req);
    const { title } = parseRequest(conversationBody, req.body ?? {});
    const conversation = await audited(
      req,
      'assistant-conversation-create',
      {},
      () => store.create(userRef, title ?? 'New conversation'),
    );
    res.status(201).json(conversation);
  });

  router.get('/conversations/:id', async (req, res) => {
    const { userRef } = await person(req);
    const id = parseRequest(conversationId, req.params.id);
    const conversation = await store.get(userRef, id);
    if (!conversation) {
      throw new NotFoundError(`There is no conversation ${id} of yours`);
    }
    res.json(conversation);
  });

  router.delete('/conversations/:id', async (req, res) => {
    const { userRef } = await person(req);
    const id = parseRequest(conversationId, req.params.id);
    await audited(req, 'assistant-conversation-delete', { id }, async () => {
      if (!(await store.delete(userRef, id))) {
        throw new NotFoundError(`There is no conversation ${id} of yours`);
      }
    });
    res.status(204).end();
  });

  /**
   * A question, answered as server-sent events: `tool` and `tool-result`
   * as the assistant calls tools, `text` as it writes, then `done` with
   * the stored answer (or `error`). What can be refused is refused before
   * the stream starts, with a status that says why.
   */
  router.post('/conversations/:id/messages', async (req, res) => {
    const { credentials, userRef } = await person(req);
    const id = parseRequest(conversationId, req.params.id);
    const { content } = parseRequest(messageBody, req.body ?? {});
    const question = assistant.check(content);
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
