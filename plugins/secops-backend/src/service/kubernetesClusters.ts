/*
 * The Kubernetes clusters the portal reads (Ingresses for DAST exposure,
 * workloads for the admission labels check): those of
 * `kubernetes.clusterLocatorMethods` of type config, which the Kubernetes
 * plugin reads too, so that the portal looks where it looks. Objects are
 * listed by the label that ties them to the catalog
 * (`backstage.io/kubernetes-id`), with the cluster's service account token.
 */
import { Config } from '@backstage/config';

/** The label (and catalog annotation) that ties an object to its entity. */
export const KUBERNETES_ID_ANNOTATION = 'backstage.io/kubernetes-id';

/** A cluster of the Kubernetes plugin's configuration. */
export interface KubernetesCluster {
  name: string;
  url: string;
  serviceAccountToken?: string;
}

/** The clusters of `kubernetes.clusterLocatorMethods` of type config. */
export function kubernetesClusters(config: Config): KubernetesCluster[] {
  return (
    config.getOptionalConfigArray('kubernetes.clusterLocatorMethods') ?? []
  )
    .filter(method => method.getOptionalString('type') === 'config')
    .flatMap(method => method.getOptionalConfigArray('clusters') ?? [])
    .map(cluster => ({
      name: cluster.getString('name'),
      url: cluster.getString('url').replace(/\/+$/, ''),
      serviceAccountToken: cluster.getOptionalString('serviceAccountToken'),
    }));
}

/**
 * The objects of a collection (`/apis/apps/v1/deployments`) that carry the
 * kubernetes-id label, in every namespace of the cluster. Throws when the
 * cluster does not answer 200 within 10 s.
 */
export async function listLabelled<T>(
  cluster: KubernetesCluster,
  collection: string,
  fetchImpl: typeof fetch = fetch,
): Promise<T[]> {
  const res = await fetchImpl(
    `${cluster.url}${collection}?labelSelector=${encodeURIComponent(
      KUBERNETES_ID_ANNOTATION,
    )}`,
    {
      headers: {
        accept: 'application/json',
        ...(cluster.serviceAccountToken
          ? { authorization: `Bearer ${cluster.serviceAccountToken}` }
          : {}),
      },
      signal: AbortSignal.timeout(10_000),
    },
  );
  if (!res.ok) {
    throw new Error(`HTTP ${res.status}`);
  }
  const list = (await res.json()) as { items?: T[] };
  return list.items ?? [];
}
