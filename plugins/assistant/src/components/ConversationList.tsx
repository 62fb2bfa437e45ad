/*
 * The Ask page's list of the person's conversations: newest first, paged on
 * the server ("Load more"), with a new conversation and deletion.
 */
import { Progress } from '@backstage/core-components';
import {
  Box,
  Button,
  Card,
  CardContent,
  IconButton,
  List,
  ListItem,
  ListItemSecondaryAction,
  ListItemText,
  makeStyles,
  Typography,
} from '@material-ui/core';
import AddIcon from '@material-ui/icons/Add';
import DeleteIcon from '@material-ui/icons/Delete';
import {
  Conversation,
  Page as ResultPage,
} from '@portal/plugin-assistant-common';
import { errorColour } from './Messages';

const useStyles = makeStyles(theme => ({
  error: {
    color: errorColour(theme),
    borderColor: errorColour(theme),
    padding: theme.spacing(1.5, 2),
  },
  deleteButton: { color: errorColour(theme) },
  listItem: {
    paddingRight: theme.spacing(7),
    // MUI's selected grey takes the secondary text below AA contrast.
    '&.Mui-selected, &.Mui-selected:hover': {
      background: theme.palette.type === 'dark' ? '#1e3a5f' : '#e3ecf7',
    },
    '&.Mui-selected .MuiListItemText-secondary': {
      color: theme.palette.type === 'dark' ? '#e2e8f0' : '#374151',
    },
  },
}));

/** The person's conversations, newest first, paged on the server. */
export function ConversationList(props: {
  page?: ResultPage<Conversation>;
  loading: boolean;
  error?: Error;
  selectedId?: string;
  busy: boolean;
  onSelect(id: string): void;
  onNew(): void;
  onDelete(conversation: Conversation): void;
  onMore(): void;
}) {
  const classes = useStyles();
  const { page } = props;
  return (
    <Card variant="outlined" component="nav" aria-label="Conversations">
      <CardContent>
        <Box
          display="flex"
          justifyContent="space-between"
          alignItems="center"
          mb={1}
        >
          <Typography variant="h6" component="h2">
            Conversations
          </Typography>
          <Button
            size="small"
            color="primary"
            startIcon={<AddIcon />}
            onClick={props.onNew}
            disabled={props.busy}
          >
            New
          </Button>
        </Box>
        {props.error && (
          <Typography variant="body2" className={classes.error}>
            Could not load your conversations: {props.error.message}
          </Typography>
        )}
        {page && page.items.length === 0 && (
          <Typography variant="body2" color="textSecondary">
            None yet. Your questions and answers are kept here, for you only,
            until you delete them.
          </Typography>
        )}
        {page && page.items.length > 0 && (
          <List dense disablePadding>
            {page.items.map(conversation => (
              <ListItem
                key={conversation.id}
                button
                selected={conversation.id === props.selectedId}
                aria-current={
                  conversation.id === props.selectedId ? 'true' : undefined
                }
                disabled={props.busy}
                onClick={() => props.onSelect(conversation.id)}
                className={classes.listItem}
              >
                <ListItemText
                  primary={conversation.title}
                  secondary={new Date(conversation.updatedAt).toLocaleString()}
                  primaryTypographyProps={{ noWrap: true }}
                />
                <ListItemSecondaryAction>
                  <IconButton
                    edge="end"
                    size="small"
                    aria-label={`Delete “${conversation.title}”`}
                    onClick={() => props.onDelete(conversation)}
                    disabled={props.busy}
                    className={classes.deleteButton}
                  >
                    <DeleteIcon fontSize="small" />
                  </IconButton>
                </ListItemSecondaryAction>
              </ListItem>
            ))}
          </List>
        )}
        {props.loading && <Progress />}
        {page?.nextCursor && (
          <Box mt={1}>
            <Button
              size="small"
              variant="outlined"
              onClick={props.onMore}
              disabled={props.loading}
            >
              Load more ({page.items.length} of {page.totalCount})
            </Button>
          </Box>
        )}
      </CardContent>
    </Card>
  );
}
