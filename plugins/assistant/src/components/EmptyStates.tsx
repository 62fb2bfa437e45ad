import { Link } from '@backstage/core-components';
import { Box, Button, Paper, Typography } from '@material-ui/core';
import { AssistantStatus } from '@portal/plugin-assistant-common';

/** The portal's own docs on the assistant (its TechDocs site). */
export const ASSISTANT_DOCS =
  '/docs/default/component/acme-developer-portal/assistant/#choosing-a-model';

/** Questions the assistant answers well, for a first try. */
export const EXAMPLE_QUESTIONS = [
  'Is cart-service burning its error budget?',
  'Which dashboards does the checkout system have?',
  'What are the open security findings of payments-api?',
  'What are the economics of the checkout system?',
];

const CONFIG_EXAMPLE = `assistant:
  openai:                 # or vLLM, Ollama, llama.cpp, LiteLLM, Azure
    baseUrl: https://api.openai.com/v1
    model: gpt-4.1
    apiKey: \${OPENAI_API_KEY}
  # or, for Claude:
  # anthropic:
  #   model: claude-sonnet-4-5
  #   apiKey: \${ANTHROPIC_API_KEY}`;

/** No model configured: how to configure one, and MCP, which works now. */
export function NotConfigured({ status }: { status: AssistantStatus }) {
  return (
    <Paper variant="outlined">
      <Box p={3}>
        <Typography variant="h5" component="h2" gutterBottom>
          No model is configured for the assistant yet
        </Typography>
        <Typography variant="body1" paragraph>
          The Ask page answers with a language model that the portal's operators
          choose. To turn it on, add <code>assistant.openai</code> (any
          OpenAI-compatible chat completions API) or{' '}
          <code>assistant.anthropic</code> to the portal's app-config and
          restart it:
        </Typography>
        <Box
          component="pre"
          p={2}
          mb={2}
          style={{
            background: '#f4f4f5',
            color: '#18181b',
            overflowX: 'auto',
            borderRadius: 4,
          }}
        >
          {CONFIG_EXAMPLE}
        </Box>
        <Typography variant="body1" paragraph>
          How to choose a provider, and what leaves the portal for it:{' '}
          <Link to={ASSISTANT_DOCS} underline="always">
            Choosing a model
          </Link>
          .
        </Typography>
        <Typography variant="h6" component="h3" gutterBottom>
          Your own assistant works already
        </Typography>
        <Typography variant="body1">
          The portal's MCP endpoint serves the same tools, with your
          permissions, to an MCP client (an IDE or desktop assistant) with no
          model here: connect it to <code>{status.mcpEndpoint}</code> with your
          Backstage token.
        </Typography>
      </Box>
    </Paper>
  );
}

/** Nothing selected: what the assistant can do, as questions to click. */
export function Examples(props: {
  hasConversations: boolean;
  disabled: boolean;
  onAsk: (question: string) => void;
}) {
  return (
    <Box py={2}>
      <Typography variant="h5" component="h2" gutterBottom>
        {props.hasConversations
          ? 'Ask something new'
          : 'No conversations yet: ask your first question'}
      </Typography>
      <Typography variant="body1" paragraph>
        The assistant answers from the portal's catalog, security findings,
        cost, reliability and dashboards, with exactly what you may see on its
        pages, and links the entities it used. Type a question below or try one
        of these:
      </Typography>
      <Box display="flex" flexWrap="wrap" style={{ gap: 8 }}>
        {EXAMPLE_QUESTIONS.map(question => (
          <Button
            key={question}
            variant="outlined"
            disabled={props.disabled}
            onClick={() => props.onAsk(question)}
            style={{ textTransform: 'none' }}
          >
            {question}
          </Button>
        ))}
      </Box>
    </Box>
  );
}
