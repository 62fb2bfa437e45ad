import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { secopsPermissions } from '@portal/plugin-secops-common';
import {
  ReportParser,
  ReportSeeder,
  ScorecardCheck,
  secopsChecksExtensionPoint,
  secopsParsersExtensionPoint,
  secopsReportSeedersExtensionPoint,
} from '@portal/plugin-secops-node';
import {
  MachineIdentities,
  ownershipServiceRef,
} from '@portal/catalog-ownership';
import { createSecopsStores } from './database/createSecopsStores';
import {
  PersonalDataSweep,
  readPersonalDataOptions,
} from './personalData/PersonalDataSweep';
import { builtInParsers } from './parsers';
import { readSecopsOptions } from './service/options';
import { readGatePolicies } from './service/gates';
import { GatePolicies } from './service/GatePolicies';
import { scheduleGithubAlerts } from './github/GithubAlertsTask';
import { scheduleWebhooks } from './siem/webhooks';
import { ReportIngester } from './service/ReportIngester';
import { runReportSeeders } from './service/reportSeeders';
import { createRouter } from './api/router';
import { SecopsAccess } from './service/SecopsAccess';
import { FindingService } from './service/FindingService';
import { PostureService } from './service/PostureService';
import { FindingTickets, githubIssues } from './service/FindingTickets';
import { Scorecards } from './scorecards/Scorecards';
import { builtInChecks } from './scorecards/builtInChecks';
import {
  builtInFrameworkFiles,
  Compliance,
  readFramework,
} from './compliance/Compliance';
import { ControlQueries } from './database/ScorecardStore';
import { Campaigns } from './service/Campaigns';
import { CheckExemptions } from './service/CheckExemptions';
import {
  DastExposureService,
  KubernetesIngresses,
  readDastExposureOptions,
} from './service/DastExposure';
import { kubernetesClusters } from './service/kubernetesClusters';
import { KubernetesWorkloads } from './service/KubernetesWorkloads';
import { GateService } from './service/GateService';
import { ExemptionService } from './service/ExemptionService';
import { EventExport } from './service/EventExport';
import { SecopsReader } from './service/SecopsReader';
import { registerSecopsActions } from './service/actions';
import { ExemptionRequests } from './service/ExemptionRequests';
import { FindingAssignments } from './service/FindingAssignments';
import { FindingNotices } from './service/FindingNotices';
import { SecurityDigest } from './service/SecurityDigest';
import { SlaNotices } from './service/SlaNotices';
import { OffPathExceptions } from './service/OffPathExceptions';
import { notificationService } from '@backstage/plugin-notifications-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import { EntitySignals } from './service/EntitySignals';
import {
  ExploitabilityImporter,
  readExploitabilityOptions,
} from './exploitability/ExploitabilityImporter';

/**
 * The SecOps backend: takes scanner reports from CI, keeps one normalised
 * finding per problem and entity, and answers who has what to fix.
 *
 * @public
 */
export const secopsPlugin = createBackendPlugin({
  pluginId: 'secops',
  register(env) {
    const extraParsers: ReportParser[] = [];
    env.registerExtensionPoint(secopsParsersExtensionPoint, {
      addParser(parser) {
        extraParsers.push(parser);
      },
    });
    const extraChecks: ScorecardCheck[] = [];
    env.registerExtensionPoint(secopsChecksExtensionPoint, {
      addCheck(check) {
        extraChecks.push(check);
      },
    });
    const seeders: ReportSeeder[] = [];
    env.registerExtensionPoint(secopsReportSeedersExtensionPoint, {
      addReportSeeder(seeder) {
        seeders.push(seeder);
      },
    });

    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        database: coreServices.database,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        auth: coreServices.auth,
        auditor: coreServices.auditor,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        catalog: catalogServiceRef,
        groups: ownershipServiceRef,
        logger: coreServices.logger,
        lifecycle: coreServices.lifecycle,
        scheduler: coreServices.scheduler,
        actionsRegistry: actionsRegistryServiceRef,
        notifications: notificationService,
        signals: signalsServiceRef,
      },
      async init(deps) {
        const options = readSecopsOptions(deps.config);
        const stores = await createSecopsStores({ database: deps.database });
        const ingester = new ReportIngester(
          [...builtInParsers, ...extraParsers],
          stores.findings,
          options,
        );
        deps.permissionsRegistry.addPermissions(secopsPermissions);
        // The security team's gate policies; the configuration's seed them.
        const gatePolicies = new GatePolicies({
          store: stores.gatePolicies,
          seed: readGatePolicies(deps.config),
          findings: stores.findings,
          catalog: deps.catalog,
          auth: deps.auth,
        });
        // Internet-facing services and their last dynamic scan.
        const clusters = kubernetesClusters(deps.config);
        const exposure = new DastExposureService({
          findings: stores.findings,
          ingresses: new KubernetesIngresses({
            clusters,
            logger: deps.logger,
          }),
          options: readDastExposureOptions(deps.config),
        });
        const services = {
          exposure,
          access: new SecopsAccess({
            ...deps,
            machines: MachineIdentities.fromConfig(deps.config),
          }),
          findings: new FindingService(stores.findings, options),
          posture: new PostureService({
            findings: stores.findings,
            events: stores.events,
            groups: deps.groups,
            options,
            exposure,
          }),
          gate: new GateService({
            findings: stores.findings,
            gateDecisions: stores.gateDecisions,
            gates: () => gatePolicies.policies(),
          }),
          exemptions: new ExemptionService(stores.exemptions),
          gatePolicies,
        };
        // Scorecards: the built-in checks and those other plugins add, with
        // the exemptions the security team approved.
        const checks = [
          ...builtInChecks({
            findings: stores.findings,
            exemptions: stores.exemptions,
            gateDecisions: stores.gateDecisions,
            exposure,
            gates: () => gatePolicies.policies(),
            options,
            workloads: new KubernetesWorkloads({
              clusters,
              logger: deps.logger,
            }),
          }),
          ...extraChecks,
        ];
        const checkExemptions = new CheckExemptions({
          knex: await deps.database.getClient(),
          access: services.access,
          checkIds: () => checks.map(c => c.id),
        });
        const scorecards = new Scorecards(
          {
            store: stores.scorecards,
            catalog: deps.catalog,
            auth: deps.auth,
            groups: deps.groups,
            logger: deps.logger,
            exemptions: now => checkExemptions.active(now),
          },
          checks,
        );
        await scorecards.schedule(deps.scheduler);
        // Compliance frameworks: the shipped ones (SOC 2, HITRUST CSF) and
        // those named in secops.compliance.frameworks, checked against the
        // scorecard checks at start.
        const checkIds = new Set(scorecards.list().map(c => c.id));
        const compliance = new Compliance(
          new ControlQueries(await deps.database.getClient()),
          [
            ...builtInFrameworkFiles(),
            ...(deps.config.getOptionalStringArray(
              'secops.compliance.frameworks',
            ) ?? []),
          ].map(file => readFramework(file, checkIds)),
        );
        // One reader, and one way to request an exemption, for the routes
        // and the actions assistants call.
        const reader = new SecopsReader({ ...services, scorecards });
        const exemptionRequests = new ExemptionRequests(services);
        // Open Security tabs hear of their entity's changes, and reload.
        const signals = new EntitySignals({
          signals: deps.signals,
          logger: deps.logger,
        });
        const assignments = new FindingAssignments({
          access: services.access,
          findings: stores.findings,
          groups: deps.groups,
          notifications: deps.notifications,
          signals,
          logger: deps.logger,
        });
        // GitHub issues for findings, their state read back hourly.
        const tickets = new FindingTickets({
          access: services.access,
          findings: stores.findings,
          tickets: stores.tickets,
          issues: githubIssues(deps.config),
          portalUrl:
            deps.config.getOptionalString('app.baseUrl') ??
            'http://localhost:3000',
          signals,
          logger: deps.logger,
        });
        await tickets.schedule(deps.scheduler);
        // CISA KEV and FIRST EPSS, imported on a schedule when configured.
        const exploitability = new ExploitabilityImporter({
          store: stores.exploitability,
          options: readExploitabilityOptions(deps.config),
          logger: deps.logger,
        });
        await exploitability.schedule(deps.scheduler);
        // Workloads let off the golden path; their owners hear before the
        // end.
        const offPath = new OffPathExceptions({
          access: services.access,
          store: stores.offPath,
          notices: stores.notices,
          notifications: deps.notifications,
          logger: deps.logger,
        });
        await offPath.schedule(deps.scheduler);
        deps.httpRouter.use(
          await createRouter({
            ...services,
            httpAuth: deps.httpAuth,
            auditor: deps.auditor,
            ingester,
            eventExport: new EventExport(stores.events),
            reader,
            exemptionRequests,
            assignments,
            tickets,
            scorecards,
            compliance,
            checkExemptions,
            campaigns: new Campaigns({
              knex: await deps.database.getClient(),
              scorecards: stores.scorecards,
              catalog: deps.catalog,
              auth: deps.auth,
              notifications: deps.notifications,
              logger: deps.logger,
            }),
            notices: new FindingNotices({
              findings: stores.findings,
              notifications: deps.notifications,
              logger: deps.logger,
            }),
            exploitability,
            offPath,
            signals,
            options,
          }),
        );
        registerSecopsActions(deps.actionsRegistry, {
          reader,
          exemptionRequests,
          auditor: deps.auditor,
        });

        // Findings nearing and passing their SLA, announced to their owners.
        await new SlaNotices({
          store: stores.notices,
          options,
          readEntities: refs => services.access.readEntities(refs),
          notifications: deps.notifications,
          logger: deps.logger,
        }).schedule(deps.scheduler);

        // Each team's weekly security digest, Monday at 07:00 UTC (or at the
        // first start after it, when the portal was down then).
        await new SecurityDigest({
          store: stores.notices,
          teams: () => services.posture.teamsNow(),
          notifications: deps.notifications,
          logger: deps.logger,
        }).schedule(deps.scheduler);

        // Pushes the event log to SIEM webhooks, when configured.
        await scheduleWebhooks({ ...deps, store: stores.events });

        // GitHub code-scanning and Dependabot alerts, when configured.
        await scheduleGithubAlerts({ ...deps, store: stores.findings });

        // The portal's own sweep for personal data and secrets in the
        // catalog (and local repositories), when configured.
        const personalData = readPersonalDataOptions(deps.config);
        if (personalData) {
          await new PersonalDataSweep({
            catalog: deps.catalog,
            auth: deps.auth,
            findings: stores.findings,
            logger: deps.logger,
            options: personalData,
          }).schedule(deps.scheduler);
        }

        // The security page's organisation of teams, kept computed.
        await services.posture.keepTeamsWarm(deps.scheduler);

        // Reports that modules seed (the embedded default's demo reports):
        // once the backend is up (the catalog must know the entities),
        // through the same ingestion as CI uploads.
        if (seeders.length) {
          deps.lifecycle.addStartupHook(() => {
            runReportSeeders({
              seeders,
              ingester,
              hasScan: (entityRef, tool) =>
                stores.findings.hasScan(entityRef, tool),
              logger: deps.logger,
            });
          });
        }
      },
    });
  },
});
