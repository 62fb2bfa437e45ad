import { ReactNode, useState } from 'react';
import { Link } from '@backstage/core-components';
import {
  Box,
  Button,
  Collapse,
  LinearProgress,
  makeStyles,
  Paper,
  Theme,
  Typography,
} from '@material-ui/core';
import ExpandMoreIcon from '@material-ui/icons/ExpandMore';
import ExpandLessIcon from '@material-ui/icons/ExpandLess';
import {
  ConversationMessage,
  ToolCallRecord,
} from '@portal/plugin-assistant-common';

/*
 * Colours are given explicitly, dark enough on white (and light enough on
 * the dark theme's paper) for WCAG AA contrast.
 */
const dark = (theme: Theme) => theme.palette.type === 'dark';
export const errorColour = (theme: Theme) =>
  dark(theme) ? '#fca5a5' : '#b91c1c';
const okColour = (theme: Theme) => (dark(theme) ? '#86efac' : '#166534');
const warnColour = (theme: Theme) => (dark(theme) ? '#fcd34d' : '#92400e');

const useStyles = makeStyles(theme => ({
  question: {
    alignSelf: 'flex-end',
    maxWidth: '80%',
    padding: theme.spacing(1.5, 2),
    background: dark(theme) ? '#1e3a5f' : '#e8f0fe',
    color: dark(theme) ? '#f1f5f9' : '#1a1a1a',
    whiteSpace: 'pre-wrap',
    overflowWrap: 'anywhere',
  },
  answer: {
    alignSelf: 'stretch',
    padding: theme.spacing(2),
  },
  text: {
    whiteSpace: 'pre-wrap',
    overflowWrap: 'anywhere',
  },
  error: { color: errorColour(theme) },
  ok: { color: okColour(theme) },
  stopped: {
    color: warnColour(theme),
    marginTop: theme.spacing(1),
  },
  steps: {
    listStyle: 'none',
    margin: theme.spacing(1, 0),
    padding: 0,
    '& li': { margin: theme.spacing(0.5, 0) },
  },
  code: {
    fontFamily: 'monospace',
    fontSize: '0.85em',
    overflowWrap: 'anywhere',
  },
  citations: {
    margin: theme.spacing(0.5, 0, 0),
    paddingLeft: theme.spacing(3),
  },
}));

/** An entity ref as the assistant writes it: `component:default/cart-service`. */
const ENTITY_REF =
  /\b(component|system|domain|resource|api|group|user|template):([a-z0-9][a-z0-9_.-]*)\/([a-z0-9](?:[a-z0-9_.-]*[a-z0-9])?)/gi;

/** Where the catalog shows an entity. */
export const entityUrl = (kind: string, namespace: string, name: string) =>
  `/catalog/${namespace}/${kind.toLowerCase()}/${name}`;

/** Text with the entity refs in it linked to their catalog pages. */
export function LinkedText({ text }: { text: string }) {
  const parts: ReactNode[] = [];
  let last = 0;
  for (const match of text.matchAll(ENTITY_REF)) {
    const [ref, kind, namespace, name] = match;
    const at = match.index ?? 0;
    parts.push(text.slice(last, at));
    parts.push(
      // Underlined: in running text a link must not rely on colour alone.
      <Link key={at} to={entityUrl(kind, namespace, name)} underline="always">
        {ref}
      </Link>,
    );
    last = at + ref.length;
  }
  parts.push(text.slice(last));
  return <>{parts}</>;
}

const inputText = (input: unknown) =>
  typeof input === 'string' ? input : JSON.stringify(input);

/** The tool calls of an answer, folded away until asked for. */
function HowIFoundThis({
  id,
  toolCalls,
}: {
  id: string;
  toolCalls: ToolCallRecord[];
}) {
  const classes = useStyles();
  const [open, setOpen] = useState(false);
  const listId = `how-${id}`;
  return (
    <Box mt={1}>
      <Button
        size="small"
        aria-expanded={open}
        aria-controls={listId}
        onClick={() => setOpen(!open)}
        endIcon={open ? <ExpandLessIcon /> : <ExpandMoreIcon />}
      >
        How I found this ({toolCalls.length}{' '}
        {toolCalls.length === 1 ? 'step' : 'steps'})
      </Button>
      <Collapse in={open}>
        <ol id={listId} className={classes.steps} aria-label="Tool calls">
          {toolCalls.map((call, index) => (
            <li key={index}>
              <span
                className={call.ok ? classes.ok : classes.error}
                aria-hidden="true"
              >
                {call.ok ? '✓ ' : '✗ '}
              </span>
              <strong>{call.tool}</strong>{' '}
              <code className={classes.code}>{inputText(call.input)}</code>
              {!call.ok && (
                <Typography variant="body2" className={classes.error}>
                  Failed{call.error ? `: ${call.error}` : ''}
                </Typography>
              )}
            </li>
          ))}
        </ol>
      </Collapse>
    </Box>
  );
}

/** A question, or an answer with its citations and how it was found. */
export function MessageView({ message }: { message: ConversationMessage }) {
  const classes = useStyles();
  if (message.role === 'user') {
    return (
      <Paper
        elevation={0}
        component="article"
        className={classes.question}
        aria-label="Question"
      >
        <Typography variant="body1" component="div">
          {message.content}
        </Typography>
      </Paper>
    );
  }
  return (
    <Paper
      variant="outlined"
      component="article"
      className={classes.answer}
      aria-label="Answer"
    >
      <Typography variant="body1" component="div" className={classes.text}>
        <LinkedText text={message.content} />
      </Typography>
      {message.stoppedBecause && (
        <Typography variant="body2" className={classes.stopped}>
          Stopped early because {message.stoppedBecause}: the answer may be
          incomplete.
        </Typography>
      )}
      {message.citations.length > 0 && (
        <Box mt={1.5}>
          <Typography variant="subtitle2" component="h3">
            Sources
          </Typography>
          <ul className={classes.citations}>
            {message.citations.map(citation => (
              <li key={citation.entityRef}>
                <Link to={citation.url}>{citation.entityRef}</Link>
              </li>
            ))}
          </ul>
        </Box>
      )}
      {message.toolCalls.length > 0 && (
        <HowIFoundThis id={message.id} toolCalls={message.toolCalls} />
      )}
    </Paper>
  );
}

/** A step of an answer in progress. */
export interface LiveStep {
  tool: string;
  input: unknown;
  state: 'running' | 'ok' | 'failed';
  error?: string;
}

/** The answer being written: progress, the steps so far, the text so far. */
export function LiveAnswer(props: { steps: LiveStep[]; text: string }) {
  const classes = useStyles();
  return (
    <Paper
      variant="outlined"
      component="article"
      className={classes.answer}
      aria-label="Answer in progress"
      aria-busy="true"
    >
      <LinearProgress aria-label="Answering" />
      <ul className={classes.steps} aria-live="polite">
        {props.steps.length === 0 && !props.text && (
          <li>
            <Typography variant="body2" color="textSecondary">
              Thinking…
            </Typography>
          </li>
        )}
        {props.steps.map((step, index) => (
          <li key={index}>
            <Typography variant="body2" component="div">
              {step.state === 'running' && (
                <>
                  Looking up <strong>{step.tool}</strong>…{' '}
                  <code className={classes.code}>{inputText(step.input)}</code>
                </>
              )}
              {step.state === 'ok' && (
                <>
                  <span className={classes.ok} aria-hidden="true">
                    ✓{' '}
                  </span>
                  Looked up <strong>{step.tool}</strong>
                </>
              )}
              {step.state === 'failed' && (
                <span className={classes.error}>
                  <span aria-hidden="true">✗ </span>
                  <strong>{step.tool}</strong> failed
                  {step.error ? `: ${step.error}` : ''}
                </span>
              )}
            </Typography>
          </li>
        ))}
      </ul>
      {props.text && (
        <Typography variant="body1" component="div" className={classes.text}>
          {/* As it comes: refs are linked once the answer is complete. */}
          {props.text}
        </Typography>
      )}
    </Paper>
  );
}
