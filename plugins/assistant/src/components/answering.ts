/*
 * What the Ask page shows of an answer while it is written, folded from
 * the answer's server-sent events.
 */
import { AnswerEvent, ProposedAction } from '@portal/plugin-assistant-common';
import { LiveStep } from './Messages';

/** An answer in progress: the question, the steps so far, the text so far, what it proposes. */
export interface Answering {
  question: string;
  steps: LiveStep[];
  text: string;
  proposals: ProposedAction[];
}

/** Folds an event of the answer into what the page shows of it. */
export function withEvent(answering: Answering, event: AnswerEvent): Answering {
  switch (event.type) {
    case 'tool':
      return {
        ...answering,
        steps: [
          ...answering.steps,
          { tool: event.tool, input: event.input, state: 'running' },
        ],
      };
    case 'tool-result': {
      const steps = [...answering.steps];
      for (let i = steps.length - 1; i >= 0; i--) {
        if (steps[i].tool === event.tool && steps[i].state === 'running') {
          steps[i] = {
            ...steps[i],
            state: event.ok ? 'ok' : 'failed',
            error: event.error,
          };
          break;
        }
      }
      return { ...answering, steps };
    }
    case 'text':
      return { ...answering, text: answering.text + event.delta };
    case 'proposal':
      return {
        ...answering,
        proposals: [...answering.proposals, event.proposal],
      };
    default:
      return answering;
  }
}
