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
  ProposedAction,
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
  proposal: {
    marginTop: theme.spacing(1.5),
    padding: theme.spacing(1.5, 2),
    borderLeft: `4px solid ${warnColour(theme)}`,
  },
  fields: {
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    columnGap: theme.spacing(2),
    rowGap: theme.spacing(0.5),
    margin: theme.spacing(1, 0),
    '& dt': { fontWeight: 600 },
    '& dd': { margin: 0, overflowWrap: 'anywhere' },
  },
  decisions: {
    display: 'flex',
    gap: theme.spacing(1),
    alignItems: 'center',
    flexWrap: 'wrap',
  },
}));

/** What the person decides about a proposed action. */
export type Decide = (
  proposal: ProposedAction,
  decision: 'confirm' | 'cancel',
) => Promise<void>;

const valueText = (value: unknown) =>
  typeof value === 'string' ? value : JSON.stringify(value);

/** An object's fields as a list of names and values (a value as it is). */
function Fields({ value }: { value: unknown }) {
  const classes = useStyles();
  const entries =
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.entries(value as Record<string, unknown>)
      : [['value', value] as [string, unknown]];
  return (
    <dl className={classes.fields}>
      {entries.map(([key, field]) => (
        <Box component="div" key={key} display="contents">
          <dt>{key}</dt>
          <dd>{valueText(field)}</dd>
        </Box>
      ))}
    </dl>
  );
}

/**
 * An action that writes, which the assistant proposed: exactly what it
 * will do (the action and every argument), and the person's choice. Until
 * they confirm, nothing is done.
 */
export function ProposalCard(props: {
  proposal: ProposedAction;
  /** Absent while the answer is still being written. */
  onDecide?: Decide;
}) {
  const classes = useStyles();
  const { proposal, onDecide } = props;
  const [deciding, setDeciding] = useState<'confirm' | 'cancel'>();
  const headingId = `proposal-${proposal.id}`;

  async function decide(decision: 'confirm' | 'cancel') {
    if (!onDecide) return;
    setDeciding(decision);
    try {
      await onDecide(proposal, decision);
    } finally {
      setDeciding(undefined);
    }
  }

  return (
    <Paper
      variant="outlined"
      component="section"
      className={classes.proposal}
      aria-labelledby={headingId}
    >
      <Typography variant="subtitle2" component="h3" id={headingId}>
        Proposed: {proposal.title}
      </Typography>
      <Typography variant="body2" color="textSecondary">
        <code className={classes.code}>{proposal.tool}</code>, with your
        permissions, only if you confirm it
      </Typography>
      <Fields value={proposal.input} />
      {proposal.status === 'pending' && (
        <div className={classes.decisions}>
          <Button
            variant="contained"
            color="primary"
            size="small"
            disabled={!onDecide || !!deciding}
            onClick={() => decide('confirm')}
          >
            {deciding === 'confirm' ? 'Doing it…' : 'Confirm'}
          </Button>
          <Button
            variant="outlined"
            size="small"
            disabled={!onDecide || !!deciding}
            onClick={() => decide('cancel')}
          >
            Cancel
          </Button>
          {!onDecide && (
            <Typography variant="body2" color="textSecondary">
              You can confirm it once the answer is complete.
            </Typography>
          )}
        </div>
      )}
      {proposal.status === 'running' && (
        <Typography variant="body2">Confirmed: running…</Typography>
      )}
      {proposal.status === 'done' && (
        <>
          <Typography variant="body2" className={classes.ok}>
            <span aria-hidden="true">✓ </span>Done. It answered:
          </Typography>
          <Fields value={proposal.output} />
        </>
      )}
      {proposal.status === 'failed' && (
        <Typography variant="body2" className={classes.error}>
          <span aria-hidden="true">✗ </span>Failed
          {proposal.error ? `: ${proposal.error}` : ''}
        </Typography>
      )}
      {proposal.status === 'cancelled' && (
        <Typography variant="body2" color="textSecondary">
          Cancelled: nothing was done.
        </Typography>
      )}
    </Paper>
  );
}

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

/**
 * A question, or an answer with its citations, how it was found and what
 * it proposes to do.
 */
export function MessageView({
  message,
  onDecide,
}: {
  message: ConversationMessage;
  onDecide?: Decide;
}) {
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
      {(message.proposals ?? []).map(proposal => (
        <ProposalCard
          key={proposal.id}
          proposal={proposal}
          onDecide={onDecide}
        />
      ))}
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

/**
 * The answer being written: progress, the steps so far, the text so far,
 * and what it proposes (to decide once it is complete).
 */
export function LiveAnswer(props: {
  steps: LiveStep[];
  text: string;
  proposals?: ProposedAction[];
}) {
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
      {(props.proposals ?? []).map(proposal => (
        <ProposalCard key={proposal.id} proposal={proposal} />
      ))}
    </Paper>
  );
}
