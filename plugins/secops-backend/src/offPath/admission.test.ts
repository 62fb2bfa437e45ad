/*
 * The golden-path admission policy (deploy/admission) with the bindings the
 * portal renders from its off-path exceptions, evaluated as the API server
 * evaluates them: a binding applies to a request when its namespace
 * selector matches the namespace and no exclude rule names the workload;
 * where one applies, the policy's CEL validations (cel-js) decide. The
 * exceptions come from the store on each database, so "active" is the
 * store's own query: pending, rejected and expired ones let nothing by.
 */
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { evaluate } from '@marcbachmann/cel-js';
import { testDatabaseIds } from '@portal/test-utils';
import yaml from 'js-yaml';
import fs from 'node:fs';
import path from 'node:path';
import { createSecopsStores } from '../database/createSecopsStores';
import { admissionBindings, POLICY_NAME } from './admission';

const ROOT = path.resolve(__dirname, '../../../..');
const [policy, staticBinding] = yaml.loadAll(
  fs.readFileSync(
    path.join(ROOT, 'deploy/admission/golden-path-policy.yaml'),
    'utf8',
  ),
) as any[];

const DAY = 86_400_000;
const NOW = new Date('2026-12-07T12:00:00Z');
const at = (days: number) => new Date(NOW.getTime() + days * DAY);

/** A Deployment on the golden path (labels and sidecar), or off it. */
function deployment(name: string, onPath: boolean) {
  const labels = onPath
    ? {
        'portal.acme.example/owner': 'team-checkout',
        'portal.acme.example/cost-entity': `component:default/${name}`,
      }
    : {};
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels },
    spec: {
      template: {
        metadata: { labels },
        spec: {
          containers: [
            { name: 'app', image: 'example/app:1' },
            ...(onPath ? [{ name: 'security-sidecar', image: 's:1' }] : []),
          ],
        },
      },
    },
  };
}

/** Whether a binding applies to a CREATE of `name` in `namespace`. */
function applies(binding: any, namespace: string, name: string): boolean {
  const { namespaceSelector, excludeResourceRules = [] } =
    binding.spec.matchResources;
  for (const e of namespaceSelector?.matchExpressions ?? []) {
    expect(e.key).toBe('kubernetes.io/metadata.name');
    const listed = e.values.includes(namespace);
    if ((e.operator === 'In' && !listed) || (e.operator === 'NotIn' && listed))
      return false;
  }
  return !excludeResourceRules.some(
    (rule: any) =>
      rule.resources.includes('deployments') &&
      rule.operations.includes('CREATE') &&
      (!rule.resourceNames?.length || rule.resourceNames.includes(name)),
  );
}

/** The messages the API server answers with ([] = admitted). */
function admit(bindings: any[], namespace: string, object: any): string[] {
  const bound = bindings.filter(
    b => b.spec.policyName === policy.metadata.name,
  );
  if (!bound.some(b => applies(b, namespace, object.metadata.name))) return [];
  const variables: Record<string, unknown> = {};
  for (const v of policy.spec.variables) {
    variables[v.name] = evaluate(v.expression, { object, variables });
  }
  return policy.spec.validations
    .filter((v: any) => evaluate(v.expression, { object, variables }) !== true)
    .map((v: any) => v.message);
}

const databases = TestDatabases.create({ ids: testDatabaseIds() });

describe.each(databases.eachSupportedId())(
  'Admission with off-path exceptions on %p',
  id => {
    it('admits the path everywhere, refuses off-path workloads, lets an active exception through in its namespace only, and nothing pending, rejected or expired', async () => {
      const knex = await databases.init(id);
      const { offPath } = await createSecopsStores({
        database: mockServices.database({ knex }),
      });
      const ask = async (
        namespace: string,
        workload: string,
        expiresInDays: number,
        decision?: 'approved' | 'rejected',
      ) => {
        const asked = await offPath.create(
          {
            entityRef: 'component:default/payments-api',
            namespace,
            workload,
            reason: 'An experiment the path does not cover yet',
            requestedBy: 'user:default/ben',
            expiresAt: at(expiresInDays),
          },
          at(-60),
        );
        if (decision) {
          await offPath.decide(
            asked.id,
            { status: decision, decidedBy: 'user:default/security-lead' },
            at(-59),
          );
        }
      };
      await ask('ml-lab', 'gpu-notebook', 30, 'approved');
      await ask('ml-lab', 'old-batch', -1, 'approved'); // ended yesterday
      await ask('ml-lab', 'waiting', 30); // pending
      await ask('research', 'refused', 30, 'rejected');
      const bindings = admissionBindings(await offPath.active(NOW)).items;

      // Without exceptions the rendered binding is the one in the repo.
      const [none] = admissionBindings([]).items;
      expect(none.metadata.name).toBe(staticBinding.metadata.name);
      expect(none.spec).toEqual(staticBinding.spec);
      expect(policy.metadata.name).toBe(POLICY_NAME);

      const refused = [
        expect.stringMatching(/portal.acme.example\/owner/),
        expect.stringMatching(/portal.acme.example\/cost-entity/),
        expect.stringMatching(/security-sidecar/),
      ];
      // Admitted: on the path, in any namespace.
      for (const ns of ['shop', 'ml-lab', 'research']) {
        expect(admit(bindings, ns, deployment('payments-api', true))).toEqual(
          [],
        );
      }
      // Refused: off the path without an exception.
      expect(admit(bindings, 'shop', deployment('legacy', false))).toEqual(
        refused,
      );
      // Excepted: the approved workload, in its namespace.
      expect(
        admit(bindings, 'ml-lab', deployment('gpu-notebook', false)),
      ).toEqual([]);
      // ...not the same name elsewhere, nor another workload there.
      expect(
        admit(bindings, 'shop', deployment('gpu-notebook', false)),
      ).toEqual(refused);
      expect(admit(bindings, 'ml-lab', deployment('other', false))).toEqual(
        refused,
      );
      // Expired, pending and rejected exceptions let nothing by.
      expect(admit(bindings, 'ml-lab', deployment('old-batch', false))).toEqual(
        refused,
      );
      expect(admit(bindings, 'ml-lab', deployment('waiting', false))).toEqual(
        refused,
      );
      expect(admit(bindings, 'research', deployment('refused', false))).toEqual(
        refused,
      );
      // The cluster's own namespaces are never bound.
      expect(
        admit(bindings, 'kube-system', deployment('coredns', false)),
      ).toEqual([]);

      // Once the last active exception ends, the bindings are the repo's.
      const later = admissionBindings(await offPath.active(at(31))).items;
      expect(later).toHaveLength(1);
      expect(admit(later, 'ml-lab', deployment('gpu-notebook', false))).toEqual(
        refused,
      );
    }, 60_000);
  },
);
