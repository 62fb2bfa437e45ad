import {
  createApiRef,
  DiscoveryApi,
  FetchApi,
} from '@backstage/core-plugin-api';
import {
  AnswerEvent,
  AssistantStatus,
  Conversation,
  ConversationDetail,
  ConversationMessage,
  DefaultApiClient,
  Page,
  ProposedAction,
} from '@portal/plugin-assistant-common';
import { bodyOf, okResponse } from '@portal/common';

/** The assistant backend, as the Ask page sees it. */
export interface AssistantApi {
  getStatus(): Promise<AssistantStatus>;
  listConversations(query: {
    cursor?: string;
    limit?: number;
  }): Promise<Page<Conversation>>;
  createConversation(title?: string): Promise<Conversation>;
  getConversation(id: string): Promise<ConversationDetail>;
  deleteConversation(id: string): Promise<void>;
  /**
   * The person's decision on an action the assistant proposed: `confirm`
   * runs it with their permissions; resolves with the proposal as it ends
   * (done, failed or cancelled).
   */
  decideProposal(
    conversationId: string,
    proposalId: string,
    decision: 'confirm' | 'cancel',
  ): Promise<ProposedAction>;
  /**
   * Asks a question in a conversation: `onEvent` gets each event of the
   * answer as it comes; resolves with the stored answer. Rejects with a
   * ResponseError when the question is refused before the answer starts
   * (400, 404, 503), and with an Error when the answer fails on the way.
   */
  ask(
    conversationId: string,
    content: string,
    onEvent: (event: AnswerEvent) => void,
    signal?: AbortSignal,
  ): Promise<ConversationMessage>;
}

export const assistantApiRef = createApiRef<AssistantApi>({
  id: 'plugin.assistant',
});

const EVENT_TYPES = new Set<string>([
  'tool',
  'tool-result',
  'proposal',
  'text',
  'done',
  'error',
]);

/**
 * A server-sent events parser: feed it text as it arrives, it calls back
 * with each complete event (`event:` and `data:` lines up to a blank
 * line). Comments and unknown fields are ignored, as EventSource does.
 */
export function createSseParser(
  onMessage: (message: { event: string; data: string }) => void,
) {
  let buffer = '';
  let event = '';
  let data: string[] = [];

  const line = (text: string) => {
    if (text === '') {
      if (data.length) {
        onMessage({ event: event || 'message', data: data.join('\n') });
      }
      event = '';
      data = [];
      return;
    }
    if (text.startsWith(':')) return;
    const colon = text.indexOf(':');
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  };

  return {
    push(chunk: string) {
      buffer += chunk;
      for (;;) {
        const match = /\r\n|\r|\n/.exec(buffer);
        // A lone \r at the end may be the first half of \r\n: wait.
        if (!match || (match[0] === '\r' && match.index === buffer.length - 1))
          break;
        line(buffer.slice(0, match.index));
        buffer = buffer.slice(match.index + match[0].length);
      }
    },
    end() {
      if (buffer) line(buffer);
      buffer = '';
      line('');
    },
  };
}

/**
 * The assistant backend through its generated client (from the backend's
 * OpenAPI spec), with the app's fetchApi, which sends the person's token.
 * Answers are read as server-sent events from the POST's body
 * (EventSource can neither POST nor send the token).
 */
export class AssistantClient implements AssistantApi {
  private readonly client: DefaultApiClient;

  constructor(deps: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.client = new DefaultApiClient(deps);
  }

  async getStatus(): Promise<AssistantStatus> {
    return bodyOf(this.client.getStatus({}));
  }

  async listConversations(query: {
    cursor?: string;
    limit?: number;
  }): Promise<Page<Conversation>> {
    return bodyOf(this.client.listConversations({ query }));
  }

  async createConversation(title?: string): Promise<Conversation> {
    return bodyOf(
      this.client.createConversation({ body: title ? { title } : {} }),
    );
  }

  async getConversation(id: string): Promise<ConversationDetail> {
    return bodyOf(this.client.getConversation({ path: { id } }));
  }

  async deleteConversation(id: string): Promise<void> {
    await okResponse(this.client.deleteConversation({ path: { id } }));
  }

  async decideProposal(
    conversationId: string,
    proposalId: string,
    decision: 'confirm' | 'cancel',
  ): Promise<ProposedAction> {
    return bodyOf(
      this.client.decideProposal({
        path: { id: conversationId, proposalId },
        body: { decision },
      }),
    );
  }

  async ask(
    conversationId: string,
    content: string,
    onEvent: (event: AnswerEvent) => void,
    signal?: AbortSignal,
  ): Promise<ConversationMessage> {
    const response = await okResponse(
      this.client.askQuestion(
        { path: { id: conversationId }, body: { content } },
        { signal },
      ),
    );

    let done: ConversationMessage | undefined;
    let failure: string | undefined;
    const parser = createSseParser(({ event, data }) => {
      if (!EVENT_TYPES.has(event)) return;
      let payload: object;
      try {
        payload = JSON.parse(data);
      } catch {
        return;
      }
      const answerEvent = { ...payload, type: event } as AnswerEvent;
      if (answerEvent.type === 'done') done = answerEvent.message;
      if (answerEvent.type === 'error') failure = answerEvent.message;
      onEvent(answerEvent);
    });

    if (response.body) {
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      for (;;) {
        const { value, done: ended } = await reader.read();
        if (ended) break;
        parser.push(decoder.decode(value, { stream: true }));
      }
      parser.push(decoder.decode());
    } else {
      parser.push(await response.text());
    }
    parser.end();

    if (done) return done;
    throw new Error(
      failure ?? 'The answer ended before it was complete; ask again',
    );
  }
}
