/*
 * The SecOps plugin's actions, for assistants over MCP (issue 14): typed,
 * paged, run with the caller's credentials through the same
 * SecopsReader as the routes, so that an action answers exactly what the
 * Security pages would show the same person and refuses what they refuse.
 * One action writes, request-exemption, as the Security tab's request does.
 *
 * One file (just above 500 lines): each action's schemas sit next to the
 * service call they describe.
 */
import { AuditorService } from '@backstage/backend-plugin-api';
import type { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { InputError } from '@backstage/errors';
import { FINDING_CATEGORIES, SEVERITIES } from '@portal/plugin-secops-common';
import {
  ActionZod,
  entityRefOf,
  groupRefInput,
  groupRefOf,
  mapPage,
  pageInput,
  pageOutput,
  READ_ONLY_ACTION,
} from '@portal/request-validation';
import { ExemptionRequests } from './ExemptionRequests';
import { SecopsReader } from './SecopsReader';

const entityRef = (z: ActionZod) =>
  z
    .string()
    .min(1)
    .max(300)
    .describe(
      'A component, resource or system, e.g. component:default/payments-api',
    );

const severityCounts = (z: ActionZod) =>
  z.object(
    Object.fromEntries(SEVERITIES.map(s => [s, z.number()])) as Record<
      (typeof SEVERITIES)[number],
      ReturnType<ActionZod['number']>
    >,
  );

/** An exemption, as list-exemptions and request-exemption answer it. */
const exemptionFields = (z: ActionZod) => ({
  id: z.string(),
  findingId: z.string(),
  entityRef: z.string(),
  justification: z.string(),
  requestedBy: z.string(),
  requestedAt: z.string(),
  expiresAt: z.string(),
  status: z.enum(['pending', 'approved', 'rejected']),
  active: z.boolean(),
  decidedBy: z.string().optional(),
  decidedAt: z.string().optional(),
  decisionComment: z.string().optional(),
});

export function registerSecopsActions(
  actions: ActionsRegistryService,
  deps: {
    reader: SecopsReader;
    exemptionRequests: ExemptionRequests;
    auditor: AuditorService;
  },
) {
  const { reader } = deps;
  actions.register({
    name: 'get-findings',
    title: 'Security findings of an entity',
    description:
      "An entity's security findings (vulnerabilities, code scanning, secrets, misconfigurations, DAST, personal data), worst first or by EPSS, as its Security tab lists them: the rule or advisory id, package and fixed version, where, the SLA due date and whether it is overdue, exemptions, and exploitability: knownExploited (the CVE is in CISA's Known Exploited Vulnerabilities catalog, with the date CISA added it and ransomware use) and the EPSS score and percentile (the probability of exploitation in the next 30 days). Filter by status, severity, category, words or knownExploited; page with cursor.",
    attributes: READ_ONLY_ACTION,
    schema: {
      input: z =>
        z.object({
          entityRef: entityRef(z),
          status: z.enum(['open', 'fixed']).optional(),
          severity: z.array(z.enum(SEVERITIES)).max(5).optional(),
          category: z.array(z.enum(FINDING_CATEGORIES)).max(5).optional(),
          search: z
            .string()
            .max(200)
            .optional()
            .describe('Matches the rule id, title, package, path or aliases'),
          knownExploited: z
            .boolean()
            .optional()
            .describe(
              "Only findings whose CVE is (true) or is not (false) in CISA's KEV catalog",
            ),
          sort: z
            .enum(['severity', 'epss'])
            .default('severity')
            .describe('Worst severity first, or highest EPSS score first'),
          ...pageInput(z, { cursor: 200 }),
        }),
      output: z =>
        pageOutput(z, {
          id: z.string(),
          entityRef: z.string(),
          tool: z.string(),
          category: z.string(),
          severity: z.enum(SEVERITIES),
          ruleId: z.string(),
          title: z.string(),
          aliases: z.array(z.string()),
          cvssScore: z.number().optional(),
          packageName: z.string().optional(),
          packageVersion: z.string().optional(),
          fixedVersion: z.string().optional(),
          locationPath: z.string().optional(),
          locationLine: z.number().optional(),
          helpUrl: z.string().optional(),
          status: z.enum(['open', 'fixed']),
          firstSeenAt: z.string(),
          lastSeenAt: z.string(),
          fixedAt: z.string().optional(),
          dueAt: z.string().optional(),
          overdue: z.boolean(),
          exemptedUntil: z.string().optional(),
          exemptionPending: z.boolean().optional(),
          cveId: z.string().optional(),
          knownExploited: z.boolean(),
          kev: z
            .object({
              dateAdded: z.string(),
              dueDate: z.string().optional(),
              knownRansomwareCampaignUse: z.boolean(),
              vulnerabilityName: z.string(),
            })
            .optional(),
          epss: z
            .object({ score: z.number(), percentile: z.number() })
            .optional(),
        }),
    },
    action: async ({ input, credentials }) => {
      const page = await reader.entityFindings(
        credentials,
        entityRefOf(input.entityRef),
        {
          status: input.status,
          severity: input.severity,
          category: input.category,
          search: input.search,
          knownExploited: input.knownExploited,
          sort: input.sort,
          cursor: input.cursor,
          limit: input.limit,
        },
      );
      return {
        output: mapPage(page, f => ({
          id: f.id,
          entityRef: f.entityRef,
          tool: f.tool,
          category: f.category,
          severity: f.severity,
          ruleId: f.ruleId,
          title: f.title,
          aliases: f.aliases,
          cvssScore: f.cvssScore,
          packageName: f.packageName,
          packageVersion: f.packageVersion,
          fixedVersion: f.fixedVersion,
          locationPath: f.locationPath,
          locationLine: f.locationLine,
          helpUrl: f.helpUrl,
          status: f.status,
          firstSeenAt: f.firstSeenAt,
          lastSeenAt: f.lastSeenAt,
          fixedAt: f.fixedAt,
          dueAt: f.dueAt,
          overdue: f.overdue,
          exemptedUntil: f.exemptedUntil,
          exemptionPending: f.exemptionPending,
          cveId: f.cveId,
          knownExploited: f.knownExploited,
          kev: f.kev,
          epss: f.epss,
        })),
      };
    },
  });

  actions.register({
    name: 'get-posture',
    title: 'Security posture',
    description:
      'Open findings by severity, overdue and known-exploited (CISA KEV) counts: of one entity; of a group (a team or department) and everything it and the groups below it own, worst entity first, with how many entities are hidden from the caller; or, for the security team only, of the whole organisation, team by team. Give exactly one of entityRef, groupRef or organisation: true.',
    attributes: READ_ONLY_ACTION,
    schema: {
      input: z =>
        z.object({
          entityRef: entityRef(z).optional(),
          groupRef: groupRefInput(z),
          organisation: z
            .boolean()
            .optional()
            .describe('Every team side by side (security team only)'),
          offset: z.number().int().min(0).default(0),
          limit: z.number().int().min(1).max(100).default(20),
        }),
      output: z =>
        z.object({
          entity: z
            .object({
              entityRef: z.string(),
              open: severityCounts(z),
              byCategory: z.record(z.number()),
              overdue: z.number(),
              knownExploited: z.number(),
              fixed: z.number(),
              lastScanAt: z.string().optional(),
            })
            .optional(),
          group: z
            .object({
              groupRef: z.string(),
              totals: z.object({
                open: severityCounts(z),
                overdue: z.number(),
                knownExploited: z.number(),
                scanned: z.number(),
              }),
              items: z.array(
                z.object({
                  entityRef: z.string(),
                  title: z.string(),
                  kind: z.string(),
                  owner: z.string().optional(),
                  open: severityCounts(z),
                  overdue: z.number(),
                  knownExploited: z.number(),
                  lastScanAt: z.string().optional(),
                }),
              ),
              totalCount: z.number(),
              hidden: z.number(),
            })
            .optional(),
          teams: z
            .array(
              z.object({
                groupRef: z.string(),
                title: z.string(),
                entities: z.number(),
                scanned: z.number(),
                open: severityCounts(z),
                overdue: z.number(),
                knownExploited: z.number(),
              }),
            )
            .optional(),
        }),
    },
    action: async ({ input, credentials }) => {
      const given = [
        input.entityRef,
        input.groupRef,
        input.organisation,
      ].filter(Boolean).length;
      if (given !== 1) {
        throw new InputError(
          'Give exactly one of entityRef, groupRef or organisation: true',
        );
      }
      if (input.entityRef) {
        const summary = await reader.entitySummary(
          credentials,
          entityRefOf(input.entityRef),
        );
        return {
          output: {
            entity: { ...summary, byCategory: { ...summary.byCategory } },
          },
        };
      }
      if (input.groupRef) {
        const posture = await reader.groupPosture(
          credentials,
          groupRefOf(input.groupRef, { kindOptional: true }),
          { offset: input.offset, limit: input.limit },
        );
        return {
          output: {
            group: {
              ...posture,
              items: posture.items.map(row => ({
                entityRef: row.entityRef,
                title: row.title,
                kind: row.kind,
                owner: row.owner,
                open: row.open,
                overdue: row.overdue,
                knownExploited: row.knownExploited,
                lastScanAt: row.lastScanAt,
              })),
            },
          },
        };
      }
      const teams = await reader.organisationTeams(credentials);
      return {
        output: {
          teams: teams.slice(input.offset, input.offset + input.limit),
        },
      };
    },
  });

  actions.register({
    name: 'who-is-exposed',
    title: 'Who is exposed to a vulnerability',
    description:
      "Which services have open findings of an advisory (a CVE, GHSA or rule id) or of a package (its name), worst first, with the affected package versions, whether any of them is known exploited (CISA KEV) and the highest EPSS percentile; knownExploited: true keeps only findings in CISA's KEV catalog. Only entities whose findings the caller may see are listed; hidden says how many others are affected. Use it for 'who is exposed to CVE-2021-44228?' or 'who uses openssl with open findings?'.",
    attributes: READ_ONLY_ACTION,
    schema: {
      input: z =>
        z.object({
          id: z
            .string()
            .trim()
            .min(3)
            .max(200)
            .describe('A CVE, GHSA or rule id, or a package name'),
          knownExploited: z
            .boolean()
            .optional()
            .describe(
              "Only findings in CISA's Known Exploited Vulnerabilities catalog",
            ),
          ...pageInput(z, { cursor: /^\d{1,4}$/ }),
        }),
      output: z =>
        z.object({
          id: z.string(),
          items: z.array(
            z.object({
              entityRef: z.string(),
              findings: z.number(),
              worst: z.enum(SEVERITIES),
              packages: z.array(z.string()),
              knownExploited: z.boolean(),
              epssPercentile: z.number().optional(),
            }),
          ),
          totalCount: z.number(),
          hidden: z.number(),
          nextCursor: z.string().optional(),
        }),
    },
    action: async ({ input, credentials }) => {
      const { items, hidden } = await reader.exposure(credentials, input.id, {
        scope: 'visible',
        knownExploited: input.knownExploited,
      });
      const offset = Number(input.cursor ?? 0);
      const end = offset + input.limit;
      return {
        output: {
          id: input.id,
          items: items.slice(offset, end),
          totalCount: items.length,
          hidden,
          nextCursor: end < items.length ? String(end) : undefined,
        },
      };
    },
  });

  const decision = (z: ActionZod) =>
    z.object({
      decisionId: z.string().optional(),
      entityRef: z.string(),
      gate: z.string(),
      passed: z.boolean(),
      evaluatedAt: z.string(),
      reasons: z.array(
        z.object({
          rule: z.object({
            severity: z.enum(SEVERITIES),
            maxOpen: z.number(),
            maxAgeDays: z.number().optional(),
          }),
          count: z.number(),
          passed: z.boolean(),
          message: z.string(),
          examples: z.array(
            z.object({
              id: z.string(),
              ruleId: z.string(),
              title: z.string(),
              severity: z.enum(SEVERITIES),
            }),
          ),
        }),
      ),
    });

  actions.register({
    name: 'get-gate-status',
    title: 'Release gate status',
    description:
      "An entity's release gate: what it would answer now (passed or not, with each rule's count and message and example findings) and the last decision CI asked for. Use it for 'can X ship?' or 'why does X's gate fail?'.",
    attributes: READ_ONLY_ACTION,
    schema: {
      input: z => z.object({ entityRef: entityRef(z) }),
      output: z =>
        z.object({ current: decision(z), last: decision(z).optional() }),
    },
    action: async ({ input, credentials }) => ({
      output: await reader.entityGate(
        credentials,
        entityRefOf(input.entityRef),
      ),
    }),
  });

  actions.register({
    name: 'list-exemptions',
    title: 'Exemptions of an entity',
    description:
      "An entity's exemptions from its release gate, the latest requested first: the finding, the justification, who asked and until when, and whether the security team approved, rejected or has yet to decide (active says whether it applies now).",
    attributes: READ_ONLY_ACTION,
    schema: {
      input: z =>
        z.object({
          entityRef: entityRef(z),
          ...pageInput(z, { cursor: 200 }),
        }),
      output: z => pageOutput(z, exemptionFields(z)),
    },
    action: async ({ input, credentials }) => ({
      output: await reader.entityExemptions(
        credentials,
        entityRefOf(input.entityRef),
        { cursor: input.cursor, limit: input.limit },
      ),
    }),
  });

  // The one action that writes: what the Security tab's "Request an
  // exemption" does, for the finding's owners, audited as the route is.
  // An assistant in the portal only proposes it; the person confirms it on
  // the Ask page (the assistant plugin's confirmable actions).
  actions.register({
    name: 'request-exemption',
    title: 'Request an exemption for a finding',
    description:
      "Asks the security team to exempt one open finding from its entity's release gate until a date (at most 90 days away), with the reason. Only the entity's owners may ask; the security team approves or rejects it later. It changes nothing until approved. Take the finding's id from get-findings.",
    attributes: { readOnly: false, destructive: false, idempotent: false },
    schema: {
      input: z =>
        z.object({
          findingId: z
            .string()
            .min(1)
            .max(100)
            .describe('The id of the finding, from get-findings'),
          justification: z
            .string()
            .trim()
            .min(10, 'justification must say why, in at least 10 characters')
            .max(2000)
            .describe('Why the finding may wait: the risk and the plan'),
          expiresAt: z
            .string()
            .datetime({
              offset: true,
              message: 'expiresAt must be an ISO 8601 date and time',
            })
            .describe('Until when, e.g. 2027-01-31T00:00:00Z'),
        }),
      output: z => z.object(exemptionFields(z)),
    },
    action: async ({ input, credentials }) => {
      const event = await deps.auditor.createEvent({
        eventId: 'exemption-request',
        severityLevel: 'medium',
        meta: { findingId: input.findingId, via: 'action' },
      });
      try {
        const exemption = await deps.exemptionRequests.request(
          credentials,
          input.findingId,
          {
            justification: input.justification,
            expiresAt: new Date(input.expiresAt),
          },
        );
        await event.success({
          meta: { exemptionId: exemption.id, entityRef: exemption.entityRef },
        });
        return { output: exemption };
      } catch (error) {
        await event.fail({ error: error as Error });
        throw error;
      }
    },
  });
}
