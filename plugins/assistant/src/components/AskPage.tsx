import { FormEvent, useCallback, useEffect, useRef, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import {
  Content,
  ErrorPanel,
  Header,
  Page,
  Progress,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
  Grid,
  makeStyles,
  Paper,
  TextField,
  Typography,
} from '@material-ui/core';
import SendIcon from '@material-ui/icons/Send';
import {
  Conversation,
  ConversationDetail,
  Page as ResultPage,
} from '@portal/plugin-assistant-common';
import { assistantApiRef } from '../api';
import { Answering, withEvent } from './answering';
import { Examples, NotConfigured } from './EmptyStates';
import { ConversationList } from './ConversationList';
import { Decide, errorColour, LiveAnswer, MessageView } from './Messages';

const PAGE_SIZE = 20;

const useStyles = makeStyles(theme => ({
  messages: {
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(2),
  },
  error: {
    color: errorColour(theme),
    borderColor: errorColour(theme),
    padding: theme.spacing(1.5, 2),
  },
  // On the page's grey, the theme's secondary text is below AA contrast.
  note: { color: theme.palette.type === 'dark' ? '#cbd5e1' : '#4b5563' },
  form: {
    marginTop: theme.spacing(3),
    padding: theme.spacing(2),
    display: 'flex',
    alignItems: 'flex-start',
    gap: theme.spacing(1),
  },
}));

/** A conversation's title from its first question. */
const titleOf = (question: string) =>
  question.length > 80 ? `${question.slice(0, 79)}…` : question;

/** What a refusal or a failure says, without the HTTP wrapping. */
function reasonOf(error: Error) {
  if (error instanceof ResponseError) {
    return error.body?.error?.message || error.message;
  }
  return error.message;
}

/** The Ask page: questions to the assistant, answered as they stream. */
export function AskPage() {
  const api = useApi(assistantApiRef);
  const classes = useStyles();
  const status = useAsync(() => api.getStatus(), [api]);

  const [list, setList] = useState<ResultPage<Conversation>>();
  const [listLoading, setListLoading] = useState(true);
  const [listError, setListError] = useState<Error>();
  const [selectedId, setSelectedId] = useState<string>();
  const selectedRef = useRef<string>();
  const [detail, setDetail] = useState<ConversationDetail>();
  const [detailError, setDetailError] = useState<Error>();
  const [input, setInput] = useState('');
  const [answering, setAnswering] = useState<Answering>();
  const [askError, setAskError] = useState<string>();
  const [toDelete, setToDelete] = useState<Conversation>();
  const [deleteError, setDeleteError] = useState<string>();
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const abortRef = useRef<AbortController>();
  const askingRef = useRef(false);
  const endRef = useRef<HTMLDivElement>(null);

  useEffect(() => () => abortRef.current?.abort(), []);

  const loadList = useCallback(
    async (cursor?: string) => {
      setListLoading(true);
      setListError(undefined);
      try {
        const page = await api.listConversations({ cursor, limit: PAGE_SIZE });
        setList(previous => {
          if (!cursor || !previous) return page;
          // Pages are offsets: one started here since may come again.
          const known = new Set(previous.items.map(c => c.id));
          return {
            ...page,
            items: [
              ...previous.items,
              ...page.items.filter(c => !known.has(c.id)),
            ],
          };
        });
      } catch (error) {
        setListError(error as Error);
      } finally {
        setListLoading(false);
      }
    },
    [api],
  );

  useEffect(() => {
    loadList();
  }, [loadList]);

  const open = useCallback(
    async (id: string | undefined) => {
      selectedRef.current = id;
      setSelectedId(id);
      setDetail(undefined);
      setDetailError(undefined);
      setAskError(undefined);
      if (!id) return;
      try {
        const conversation = await api.getConversation(id);
        if (selectedRef.current === id) setDetail(conversation);
      } catch (error) {
        if (selectedRef.current === id) setDetailError(error as Error);
      }
    },
    [api],
  );

  // Follow the answer as it grows.
  useEffect(() => {
    if (answering || detail) {
      endRef.current?.scrollIntoView?.({ block: 'nearest' });
    }
  }, [answering, detail]);

  async function ask(text: string) {
    const question = text.trim();
    // A ref, not the state: two Enters in a row must ask once.
    if (!question || askingRef.current) return;
    askingRef.current = true;
    setAskError(undefined);
    setInput('');
    let conversation = detail;
    setAnswering({ question, steps: [], text: '', proposals: [] });
    const controller = new AbortController();
    abortRef.current = controller;
    try {
      if (!conversation) {
        const created = await api.createConversation(titleOf(question));
        conversation = { ...created, messages: [] };
        selectedRef.current = created.id;
        setSelectedId(created.id);
        setDetail(conversation);
        setList(previous =>
          previous
            ? {
                ...previous,
                items: [created, ...previous.items],
                totalCount: previous.totalCount + 1,
              }
            : previous,
        );
      }
      const id = conversation.id;
      const answer = await api.ask(
        id,
        question,
        event => setAnswering(current => current && withEvent(current, event)),
        controller.signal,
      );
      const asked = {
        id: `${answer.id}-question`,
        role: 'user' as const,
        content: question,
        createdAt: answer.createdAt,
        citations: [],
        toolCalls: [],
      };
      setDetail(current =>
        current && current.id === id
          ? { ...current, messages: [...current.messages, asked, answer] }
          : current,
      );
    } catch (error) {
      if (controller.signal.aborted) return;
      if (error instanceof ResponseError) {
        // Refused before answering: the question was not kept; give it back.
        setAskError(
          `The assistant did not take the question: ${reasonOf(
            error as Error,
          )}`,
        );
        setInput(question);
      } else {
        setAskError(`The answer failed: ${reasonOf(error as Error)}`);
        if (conversation) {
          const id = conversation.id;
          api
            .getConversation(id)
            .then(fresh => {
              if (selectedRef.current === id) setDetail(fresh);
            })
            .catch(() => undefined);
        }
      }
    } finally {
      askingRef.current = false;
      if (abortRef.current === controller) abortRef.current = undefined;
      setAnswering(undefined);
      inputRef.current?.focus();
    }
  }

  /** Confirms or cancels a proposed action, and shows how it ended. */
  const decide: Decide = async (proposal, decision) => {
    const id = selectedRef.current;
    if (!id) return;
    setAskError(undefined);
    try {
      const decided = await api.decideProposal(id, proposal.id, decision);
      setDetail(current =>
        current && current.id === id
          ? {
              ...current,
              messages: current.messages.map(message => ({
                ...message,
                ...(message.proposals
                  ? {
                      proposals: message.proposals.map(p =>
                        p.id === decided.id ? decided : p,
                      ),
                    }
                  : {}),
              })),
            }
          : current,
      );
    } catch (error) {
      setAskError(
        `The proposal could not be ${
          decision === 'confirm' ? 'confirmed' : 'cancelled'
        }: ${reasonOf(error as Error)}`,
      );
    }
  };

  async function confirmDelete() {
    const conversation = toDelete;
    if (!conversation) return;
    setDeleteError(undefined);
    try {
      await api.deleteConversation(conversation.id);
      setToDelete(undefined);
      setList(previous =>
        previous
          ? {
              ...previous,
              items: previous.items.filter(c => c.id !== conversation.id),
              totalCount: Math.max(0, previous.totalCount - 1),
            }
          : previous,
      );
      if (selectedRef.current === conversation.id) open(undefined);
    } catch (error) {
      setDeleteError(reasonOf(error as Error));
    }
  }

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    ask(input);
  };

  const configured = status.value?.configured;
  const busy = !!answering;
  const messages = detail?.messages ?? [];

  return (
    <Page themeId="tool">
      <Header
        title="Ask"
        subtitle="Questions about the portal's services in plain language, answered from what you may see, with links to what was used"
      />
      <Content>
        {status.error && (
          <ErrorPanel
            title="Could not reach the assistant"
            error={status.error}
          />
        )}
        <Grid container spacing={3}>
          <Grid item xs={12} md={4} lg={3}>
            <ConversationList
              page={list}
              loading={listLoading}
              error={listError}
              selectedId={selectedId}
              busy={busy}
              onSelect={id => open(id)}
              onNew={() => {
                open(undefined);
                inputRef.current?.focus();
              }}
              onDelete={conversation => {
                setDeleteError(undefined);
                setToDelete(conversation);
              }}
              onMore={() => loadList(list?.nextCursor)}
            />
          </Grid>
          <Grid item xs={12} md={8} lg={9}>
            {status.loading && <Progress />}
            {status.value && !configured && (
              <Box mb={3}>
                <NotConfigured status={status.value} />
              </Box>
            )}
            {status.value?.provider && (
              <Typography variant="body2" className={classes.note} paragraph>
                Answers come from {status.value.provider.model} (
                {status.value.provider.name}); it sees your question and what
                the portal's tools return to you.
              </Typography>
            )}
            {detailError && (
              <ErrorPanel
                title="Could not open the conversation"
                error={detailError}
              />
            )}
            {selectedId && !detail && !detailError && <Progress />}
            {configured && !selectedId && !answering && (
              <Examples
                hasConversations={!!list?.items.length}
                disabled={busy}
                onAsk={question => ask(question)}
              />
            )}
            <Box className={classes.messages}>
              {detail && (
                <Typography variant="h5" component="h2">
                  {detail.title}
                </Typography>
              )}
              {messages.map(message => (
                <MessageView
                  key={message.id}
                  message={message}
                  onDecide={decide}
                />
              ))}
              {answering && (
                <>
                  <MessageView
                    message={{
                      id: 'asking',
                      role: 'user',
                      content: answering.question,
                      createdAt: '',
                      citations: [],
                      toolCalls: [],
                    }}
                  />
                  <LiveAnswer
                    steps={answering.steps}
                    text={answering.text}
                    proposals={answering.proposals}
                  />
                </>
              )}
              {askError && (
                <Paper
                  variant="outlined"
                  className={classes.error}
                  role="alert"
                >
                  <Typography variant="body2">{askError}</Typography>
                </Paper>
              )}
              <div ref={endRef} />
            </Box>
            {configured && (
              <Paper
                variant="outlined"
                component="form"
                onSubmit={onSubmit}
                className={classes.form}
              >
                <TextField
                  id="assistant-question"
                  label="Your question"
                  placeholder="Is cart-service burning its error budget?"
                  helperText="Enter to ask, Shift+Enter for a new line"
                  variant="outlined"
                  multiline
                  maxRows={8}
                  fullWidth
                  value={input}
                  disabled={busy}
                  inputRef={inputRef}
                  inputProps={{ maxLength: 4000 }}
                  onChange={e => setInput(e.target.value)}
                  onKeyDown={e => {
                    if (
                      e.key === 'Enter' &&
                      !e.shiftKey &&
                      !e.nativeEvent.isComposing
                    ) {
                      e.preventDefault();
                      ask(input);
                    }
                  }}
                />
                <Button
                  type="submit"
                  variant="contained"
                  color="primary"
                  endIcon={<SendIcon />}
                  disabled={busy || !input.trim()}
                  style={{ marginTop: 8 }}
                >
                  Ask
                </Button>
              </Paper>
            )}
          </Grid>
        </Grid>
        <Dialog
          open={!!toDelete}
          onClose={() => setToDelete(undefined)}
          aria-labelledby="assistant-delete-title"
        >
          <DialogTitle id="assistant-delete-title">
            Delete this conversation?
          </DialogTitle>
          <DialogContent>
            <DialogContentText>
              “{toDelete?.title}” and all its questions and answers are removed
              for good.
            </DialogContentText>
            {deleteError && (
              <Typography
                variant="body2"
                className={classes.error}
                role="alert"
              >
                Could not delete it: {deleteError}
              </Typography>
            )}
          </DialogContent>
          <DialogActions>
            <Button onClick={() => setToDelete(undefined)}>Cancel</Button>
            <Button
              onClick={confirmDelete}
              variant="contained"
              style={{ background: '#b91c1c', color: '#fff' }}
            >
              Delete
            </Button>
          </DialogActions>
        </Dialog>
      </Content>
    </Page>
  );
}
