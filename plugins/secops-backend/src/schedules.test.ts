import { SchedulerService } from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { FindingStore, EventStore } from './database/types';
import { scheduleGithubAlerts } from './github/GithubAlertsTask';
import { scheduleWebhooks } from './siem/webhooks';

/** What each task was scheduled with, by id. */
function recordingScheduler() {
  const tasks: Record<string, object> = {};
  const scheduler = {
    scheduleTask: async ({ id, fn: _fn, ...schedule }) => {
      tasks[id] = schedule;
    },
  } as Partial<SchedulerService> as SchedulerService;
  return { tasks, scheduler };
}

async function schedules(secops: object) {
  const { tasks, scheduler } = recordingScheduler();
  const config = new ConfigReader({ secops });
  await scheduleGithubAlerts({
    config,
    scheduler,
    catalog: catalogServiceMock(),
    auth: mockServices.auth(),
    store: {} as FindingStore,
    logger: mockServices.logger.mock(),
  });
  await scheduleWebhooks({
    config,
    scheduler,
    store: {} as EventStore,
    logger: mockServices.logger.mock(),
  });
  return tasks;
}

const webhook = {
  webhooks: [{ name: 'siem', url: 'https://siem.acme.example/ingest' }],
};

describe("SecOps' scheduled tasks", () => {
  it("take Backstage's task schedule shape, on one replica", async () => {
    const tasks = await schedules({
      github: {
        schedule: { frequency: { minutes: 15 }, timeout: { minutes: 5 } },
      },
      siem: {
        ...webhook,
        schedule: { frequency: { seconds: 30 }, timeout: 'PT2M' },
      },
    });
    expect(tasks['secops-github-alerts']).toMatchObject({
      frequency: { minutes: 15 },
      timeout: { minutes: 5 },
      scope: 'global',
    });
    expect(tasks['secops-siem-webhooks']).toMatchObject({
      frequency: { seconds: 30 },
      scope: 'global',
    });
  });

  it('still read the older frequency keys', async () => {
    const tasks = await schedules({
      github: { schedule: { frequencyMinutes: 90, timeoutMinutes: 20 } },
      siem: { ...webhook, frequencySeconds: 120 },
    });
    expect(tasks['secops-github-alerts']).toMatchObject({
      frequency: { minutes: 90 },
      timeout: { minutes: 20 },
    });
    expect(tasks['secops-siem-webhooks']).toMatchObject({
      frequency: { seconds: 120 },
    });
  });

  it('schedule nothing that is not configured', async () => {
    expect(await schedules({})).toEqual({});
  });
});
