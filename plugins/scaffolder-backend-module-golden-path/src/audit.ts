import {
  AuditorService,
  AuditorServiceCreateEventOptions,
} from '@backstage/backend-plugin-api';

type JsonObject = NonNullable<AuditorServiceCreateEventOptions['meta']>;

/**
 * Runs a change to a repository as one audit event: `success` with what was
 * done, or `fail` with why it was refused or broke (a refusal is audited
 * like any other outcome). Without an auditor it just runs.
 */
export async function audited<T>(
  auditor: AuditorService | undefined,
  event: { eventId: string; meta: JsonObject },
  fn: () => Promise<T>,
  successMeta: (result: T) => JsonObject = () => ({}),
): Promise<T> {
  const audit = await auditor?.createEvent({
    eventId: event.eventId,
    severityLevel: 'medium',
    meta: event.meta,
  });
  let result: T;
  try {
    result = await fn();
  } catch (error) {
    await audit?.fail({
      error: error instanceof Error ? error : new Error(String(error)),
    });
    throw error;
  }
  await audit?.success({ meta: successMeta(result) });
  return result;
}

/** Who and which task, for an audit event of an action. */
export function taskMeta(ctx: {
  user?: { ref?: string };
  templateInfo?: { entityRef?: string };
  task?: { id?: string };
}): JsonObject {
  return {
    user: ctx.user?.ref ?? null,
    template: ctx.templateInfo?.entityRef ?? null,
    taskId: ctx.task?.id ?? null,
  };
}
