/*
 * `golden-path:fleet:upgrade`: upgrades many services at once, one pull
 * request per service. Everything is checked before anything starts (each
 * service is a Component of the catalog that the caller's teams own, or the
 * caller is an admin; nothing unknown), so that a bad list changes
 * nothing. Then, for each service behind the current version of its
 * template, the action starts the "Upgrade the golden path" template as a
 * task of its own, as the caller (so every check of that template applies
 * again, and each service's log and pull request are where the scaffolder
 * keeps them), a few at a time, and waits for them; services already on
 * the current version are left alone, and so counted when their upgrade
 * finds the repository already there (its output `upToDate`: no pull
 * request). Progress goes to the task's log; the results, one per service,
 * are its output.
 *
 * Running it again is safe: a service still behind gets the same branch
 * (the local pull request is replaced, GitHub's is updated), one already
 * upgraded is skipped, and a restarted task does not start a service's
 * upgrade twice (a checkpoint per service).
 */
import {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError, NotAllowedError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { Ownership } from '../ownership';
import { currentTemplateVersions } from '../templateVersions';
import { examples } from './fleetUpgrade.examples';
import {
  compareVersions,
  TEMPLATE_ANNOTATION,
  TEMPLATE_VERSION_ANNOTATION,
} from './templateInfo';

/** The template run for each service. */
export const UPGRADE_TEMPLATE = 'template:default/upgrade-golden-path';
/** The most services one run takes. */
export const MAX_FLEET = 100;
/** How long one run starts and waits for upgrades (the caller's token lives about an hour). */
export const RUN_LIMIT_MS = 50 * 60 * 1000;

/** What became of one service. */
export interface FleetResult {
  entityRef: string;
  /**
   * upgraded: a pull request was opened or updated by its task; current:
   * already on the current version (in the catalog, or in its repository,
   * as its task found).
   */
  status: 'upgraded' | 'current' | 'not-on-path' | 'failed';
  from?: string;
  to?: string;
  /** The upgrade's own task (its log and pull request). */
  taskId?: string;
  detail: string;
}

const FINISHED = new Set(['completed', 'failed', 'cancelled', 'skipped']);

/** How a task ended, and, once completed, its template's output. */
export interface TaskEnd {
  status: string;
  output?: Record<string, unknown>;
}

/** The scaffolder's task API, as the caller. */
export interface TaskStarter {
  start(
    templateRef: string,
    values: Record<string, string>,
    credentials: BackstageCredentials,
  ): Promise<string>;
  /**
   * The task's status once it has finished, with its output when it
   * completed (waits for it, until the signal aborts or the deadline
   * passes: then it throws).
   */
  finished(
    taskId: string,
    credentials: BackstageCredentials,
    options?: { signal?: AbortSignal; deadline?: number },
  ): Promise<TaskEnd>;
}

/** The scaffolder's own HTTP API, with a token on behalf of the caller. */
export class ScaffolderTasks implements TaskStarter {
  constructor(
    private readonly deps: {
      auth: AuthService;
      discovery: DiscoveryService;
      fetch?: typeof fetch;
      pollIntervalMs?: number;
      sleep?: (ms: number) => Promise<void>;
    },
  ) {}

  private async call(
    path: string,
    credentials: BackstageCredentials,
    init: { method?: string; body?: unknown } = {},
  ): Promise<any> {
    const { token } = await this.deps.auth.getPluginRequestToken({
      onBehalfOf: credentials,
      targetPluginId: 'scaffolder',
    });
    const base = await this.deps.discovery.getBaseUrl('scaffolder');
    const res = await (this.deps.fetch ?? fetch)(`${base}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        authorization: `Bearer ${token}`,
        ...(init.body ? { 'content-type': 'application/json' } : {}),
      },
      body: init.body ? JSON.stringify(init.body) : undefined,
    });
    const text = await res.text();
    if (!res.ok) {
      let message = text.slice(0, 300);
      try {
        message = JSON.parse(text)?.error?.message ?? message;
      } catch {
        // not JSON: the text as it is
      }
      throw new Error(`the scaffolder answered ${res.status}: ${message}`);
    }
    return JSON.parse(text);
  }

  async start(
    templateRef: string,
    values: Record<string, string>,
    credentials: BackstageCredentials,
  ): Promise<string> {
    const { id } = await this.call('/v2/tasks', credentials, {
      method: 'POST',
      body: { templateRef, values },
    });
    return String(id);
  }

  async finished(
    taskId: string,
    credentials: BackstageCredentials,
    options: { signal?: AbortSignal; deadline?: number } = {},
  ): Promise<TaskEnd> {
    const sleep =
      this.deps.sleep ??
      ((ms: number) => new Promise<void>(r => setTimeout(r, ms)));
    for (;;) {
      if (options.signal?.aborted) {
        throw new Error('the fleet upgrade was cancelled while it waited');
      }
      if (options.deadline !== undefined && Date.now() > options.deadline) {
        throw new Error("it did not finish within the fleet upgrade's time");
      }
      const path = `/v2/tasks/${encodeURIComponent(taskId)}`;
      const task = await this.call(path, credentials);
      if (task.status === 'completed') {
        // The template's output is in the task's completion event.
        const events: Array<{ type?: string; body?: any }> = await this.call(
          `${path}/events`,
          credentials,
        );
        const completion = events.filter(e => e.type === 'completion').pop();
        return { status: 'completed', output: completion?.body?.output };
      }
      if (FINISHED.has(task.status)) return { status: String(task.status) };
      await sleep(this.deps.pollIntervalMs ?? 1000);
    }
  }
}

/** Each of `items` through `fn`, at most `limit` at a time, in order of results. */
async function eachLimited<T, R>(
  items: T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, worker),
  );
  return results;
}

/** A service's ref as given, checked (components only). */
function componentRef(value: string): string {
  let ref;
  try {
    ref = parseEntityRef(value.trim(), {
      defaultKind: 'component',
      defaultNamespace: 'default',
    });
  } catch {
    throw new InputError(`"${value}" is not an entity ref`);
  }
  if (ref.kind.toLowerCase() !== 'component') {
    throw new InputError(`"${value}" is not a component`);
  }
  return stringifyEntityRef(ref);
}

export function createFleetUpgradeAction(deps: {
  catalog: CatalogService;
  auth: AuthService;
  ownership: Ownership;
  tasks: TaskStarter;
}) {
  return createTemplateAction({
    id: 'golden-path:fleet:upgrade',
    description:
      'Upgrades many services to the current version of their golden-path template, one pull request per service (the "Upgrade the golden path" template, run as the caller for each); services already current are skipped.',
    examples,
    supportsDryRun: false,
    schema: {
      input: {
        components: z =>
          z
            .array(z.string().max(300))
            .min(1)
            .max(MAX_FLEET)
            .describe('The services (component refs) to upgrade'),
        concurrency: z =>
          z
            .number()
            .int()
            .min(1)
            .max(4)
            .optional()
            .describe('How many upgrades run at once (2)'),
      },
      output: {
        results: z =>
          z.array(
            z.object({
              entityRef: z.string(),
              status: z.string(),
              from: z.string().optional(),
              to: z.string().optional(),
              taskId: z.string().optional(),
              detail: z.string(),
            }),
          ),
        upgraded: z => z.number(),
        current: z => z.number(),
        failed: z => z.number(),
        summary: z => z.string(),
      },
    },
    async handler(ctx) {
      const refs = [...new Set(ctx.input.components.map(componentRef))];
      const caller = await deps.ownership.caller(ctx.user?.ref);
      if (!caller.ref) {
        throw new NotAllowedError(
          'A fleet upgrade is run by a signed-in person',
        );
      }

      // Everything is checked before anything starts.
      const credentials = await deps.auth.getOwnServiceCredentials();
      const { items } = await deps.catalog.getEntitiesByRefs(
        { entityRefs: refs },
        { credentials },
      );
      const missing = refs.filter((_, i) => !items[i]);
      if (missing.length) {
        throw new InputError(
          `not Components of the catalog: ${missing.join(
            ', ',
          )}; nothing was started`,
        );
      }
      const entities = items as Entity[];
      const notYours = entities.filter(entity => {
        const owners = deps.ownership.ownersOf(entity);
        return !caller.isAdmin && !owners.some(o => caller.owners.has(o));
      });
      if (notYours.length) {
        throw new NotAllowedError(
          `not owned by one of your teams: ${notYours
            .map(e => stringifyEntityRef(e))
            .join(', ')}; nothing was started`,
        );
      }
      const latest = await currentTemplateVersions(deps.catalog, credentials);

      // What each service needs.
      const plan = entities.map((entity, i): FleetResult => {
        const entityRef = refs[i];
        const annotations = entity.metadata.annotations ?? {};
        const template = annotations[TEMPLATE_ANNOTATION];
        const from = annotations[TEMPLATE_VERSION_ANNOTATION];
        if (!template) {
          return {
            entityRef,
            status: 'not-on-path',
            detail:
              'not on the golden path (no acme.example/template): adopt it first',
          };
        }
        const to = latest.get(template);
        if (!to) {
          return {
            entityRef,
            status: 'failed',
            from,
            detail: `its template ${template} is not in the catalog`,
          };
        }
        if (from && compareVersions(from, to) >= 0) {
          return {
            entityRef,
            status: 'current',
            from,
            to,
            detail: `already on ${template} ${to}`,
          };
        }
        return {
          entityRef,
          status: 'upgraded',
          from,
          to,
          detail: `${template} ${from ?? '(no version)'} to ${to}`,
        };
      });
      const behind = plan.filter(r => r.status === 'upgraded');
      ctx.logger.info(
        `${refs.length} services: ${behind.length} behind, ${
          plan.filter(r => r.status === 'current').length
        } current, ${
          plan.length -
          behind.length -
          plan.filter(r => r.status === 'current').length
        } not upgradable`,
      );

      // One upgrade task per service behind, as the caller.
      const initiator = await ctx.getInitiatorCredentials();
      let done = 0;
      // The person's token, and the tokens made from it, last about an
      // hour: so does the run.
      const deadline = Date.now() + RUN_LIMIT_MS;
      await eachLimited(behind, ctx.input.concurrency ?? 2, async result => {
        if (ctx.signal?.aborted || Date.now() > deadline) {
          result.status = 'failed';
          result.detail = ctx.signal?.aborted
            ? 'not started: the fleet upgrade was cancelled'
            : 'not started: the fleet upgrade ran out of time; run it again for the rest';
          done += 1;
          return;
        }
        let taskId: string | undefined;
        try {
          taskId = await ctx.checkpoint({
            key: `upgrade-${result.entityRef}`,
            fn: () =>
              deps.tasks.start(
                UPGRADE_TEMPLATE,
                { component: result.entityRef },
                initiator,
              ),
          });
          result.taskId = taskId;
          ctx.logger.info(`${result.entityRef}: started task ${taskId}`);
          const end = await deps.tasks.finished(taskId, initiator, {
            signal: ctx.signal,
            deadline,
          });
          const upToDate = end.output?.upToDate;
          if (end.status !== 'completed') {
            result.status = 'failed';
            result.detail = `its upgrade task ${end.status}: see /create/tasks/${taskId}`;
          } else if (upToDate === true || upToDate === 'true') {
            // Its repository already follows the current version (merged,
            // the catalog not yet refreshed): no pull request was opened.
            result.status = 'current';
            result.detail = `already on ${
              result.to
            } in its repository (the catalog says ${
              result.from ?? 'no version'
            }): no pull request (task ${taskId})`;
          } else {
            result.detail = `${result.detail}: pull request opened (task ${taskId})`;
          }
        } catch (error) {
          const message = error instanceof Error ? error.message : error;
          result.status = 'failed';
          // Once started, the upgrade goes on without this run: its own
          // task says how it ended.
          result.detail = taskId
            ? `started, but its end is unknown (${message}): see /create/tasks/${taskId}`
            : `${message}`;
        }
        done += 1;
        ctx.logger.info(
          `[${done}/${behind.length}] ${result.entityRef}: ${result.status}, ${result.detail}`,
        );
      });

      const count = (status: FleetResult['status']) =>
        plan.filter(r => r.status === status).length;
      const mark: Record<FleetResult['status'], string> = {
        upgraded: 'pull request',
        current: 'current',
        'not-on-path': 'not on the path',
        failed: 'failed',
      };
      const upgraded = count('upgraded');
      const summary = [
        `${
          upgraded === 1 ? '1 pull request' : `${upgraded} pull requests`
        }, ${count('current')} already current, ${count(
          'not-on-path',
        )} not on the golden path, ${count('failed')} failed.`,
        '',
        '| service | result | detail | task |',
        '| --- | --- | --- | --- |',
        ...plan.map(
          r =>
            `| ${r.entityRef} | ${mark[r.status]} | ${r.detail.replace(
              /\|/g,
              '\\|',
            )} | ${r.taskId ? `[log](/create/tasks/${r.taskId})` : ''} |`,
        ),
      ].join('\n');
      ctx.output('results', plan as any);
      ctx.output('upgraded', count('upgraded'));
      ctx.output('current', count('current'));
      ctx.output('failed', count('failed'));
      ctx.output('summary', summary);
    },
  });
}
