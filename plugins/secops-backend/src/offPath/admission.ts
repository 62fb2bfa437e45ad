/*
 * The golden-path admission policy's bindings (deploy/admission), with the
 * active off-path exceptions left out. The policy itself is not changed:
 * its one binding, for every namespace but the cluster's own, becomes
 *
 * - the same binding, also leaving out each namespace that has active
 *   exceptions, and
 * - for each of those namespaces, a binding of the policy to that
 *   namespace alone that leaves out its excepted workloads by name
 *   (excludeResourceRules with resourceNames),
 *
 * so that an exception lets one workload of one namespace through, and
 * nothing else: the same name in another namespace is still refused. An
 * expired exception is simply not rendered; the deployment pipeline
 * applies the list on a schedule, pruning what it no longer has (every
 * binding carries RENDERED_LABEL).
 */
import { OffPathException } from '@portal/plugin-secops-common';

/** The policy's name (deploy/admission/golden-path-policy.yaml). */
export const POLICY_NAME = 'golden-path.portal.acme.example';
/** The namespaces the policy never applies to. */
export const CLUSTER_NAMESPACES = [
  'kube-system',
  'kube-public',
  'kube-node-lease',
];
/** On every rendered binding, for `kubectl apply --prune -l`. */
export const RENDERED_LABEL = 'portal.acme.example/rendered-by';
const NAMESPACE_LABEL = 'kubernetes.io/metadata.name';

/** What the policy matches (its matchConstraints' resource rules). */
const WORKLOADS = {
  apiGroups: ['apps'],
  apiVersions: ['v1'],
  operations: ['CREATE', 'UPDATE'],
  resources: ['deployments', 'statefulsets', 'daemonsets'],
};

type Excepted = Pick<
  OffPathException,
  'id' | 'entityRef' | 'namespace' | 'workload' | 'expiresAt'
>;

function binding(
  name: string,
  matchResources: Record<string, unknown>,
  annotations?: Record<string, string>,
) {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicyBinding',
    metadata: {
      name,
      labels: { [RENDERED_LABEL]: 'off-path-exceptions' },
      ...(annotations ? { annotations } : {}),
    },
    spec: {
      policyName: POLICY_NAME,
      validationActions: ['Deny', 'Audit'],
      matchResources,
    },
  };
}

/** The bindings, as a Kubernetes List (kubectl apply -f takes it as is). */
export function admissionBindings(exceptions: Excepted[]) {
  const byNamespace = new Map<string, Excepted[]>();
  for (const e of exceptions) {
    byNamespace.set(e.namespace, [...(byNamespace.get(e.namespace) ?? []), e]);
  }
  const namespaces = [...byNamespace.keys()].sort();
  const everywhere = binding(POLICY_NAME, {
    namespaceSelector: {
      matchExpressions: [
        {
          key: NAMESPACE_LABEL,
          operator: 'NotIn',
          values: [...CLUSTER_NAMESPACES, ...namespaces],
        },
      ],
    },
  });
  const perNamespace = namespaces.map(namespace => {
    const excepted = byNamespace.get(namespace)!;
    return binding(
      `${POLICY_NAME}.${namespace}`,
      {
        namespaceSelector: {
          matchExpressions: [
            { key: NAMESPACE_LABEL, operator: 'In', values: [namespace] },
          ],
        },
        excludeResourceRules: [
          {
            ...WORKLOADS,
            resourceNames: [...new Set(excepted.map(e => e.workload))].sort(),
          },
        ],
      },
      {
        // For people reading the cluster: which records let them through.
        'portal.acme.example/off-path-exceptions': JSON.stringify(
          excepted.map(e => ({
            id: e.id,
            workload: e.workload,
            entityRef: e.entityRef,
            expiresAt: e.expiresAt,
          })),
        ),
      },
    );
  });
  return {
    apiVersion: 'v1' as const,
    kind: 'List' as const,
    items: [everywhere, ...perNamespace],
  };
}
