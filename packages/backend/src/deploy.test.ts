/*
 * The portal's own Kubernetes deployment (deploy/portal), rendered with
 * kustomize as `kubectl apply -k` would, each object checked against the
 * Kubernetes schemas (kubernetes-models), the production shape checked
 * (replicas, probes, non-root read-only containers, disruption budget,
 * autoscaling, network policy, configuration from a ConfigMap and secrets
 * from a Secret), and the Deployment admitted by the project's own
 * golden-path admission policy.
 */
import { evaluate } from '@marcbachmann/cel-js';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

const ROOT = path.resolve(__dirname, '../../..');

const MODELS: Record<string, new (data: any) => { validate(): void }> = {
  'v1/Namespace': Namespace,
  'v1/ServiceAccount': ServiceAccount,
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'networking.k8s.io/v1/Ingress': Ingress,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
};

/** The base rendered by kustomize (kubectl's own). */
function render(): any[] {
  const out = execFileSync(
    'kubectl',
    ['kustomize', path.join(ROOT, 'deploy/portal')],
    { encoding: 'utf8' },
  );
  return parseAllDocuments(out).map(d => d.toJSON());
}

/** The messages of the golden-path policy's validations an object fails. */
function admit(object: any): string[] {
  const [policy] = parseAllDocuments(
    fs.readFileSync(
      path.join(ROOT, 'deploy/admission/golden-path-policy.yaml'),
      'utf8',
    ),
  ).map(d => d.toJSON());
  const variables: Record<string, unknown> = {};
  for (const v of policy.spec.variables) {
    variables[v.name] = evaluate(v.expression, { object, variables });
  }
  return policy.spec.validations
    .filter((v: any) => evaluate(v.expression, { object, variables }) !== true)
    .map((v: any) => v.message);
}

const matches = (selector: Record<string, string>, labels: object) =>
  Object.entries(selector).every(
    ([k, v]) => (labels as Record<string, string>)[k] === v,
  );

describe('deploy/portal (Kubernetes)', () => {
  const objects = render();
  const one = (kind: string) => {
    const found = objects.filter(o => o.kind === kind);
    expect(found).toHaveLength(1);
    return found[0];
  };

  it('renders every object valid against the Kubernetes schemas', () => {
    expect(objects.map(o => o.kind).sort()).toEqual([
      'ConfigMap',
      'Deployment',
      'HorizontalPodAutoscaler',
      'Ingress',
      'Namespace',
      'NetworkPolicy',
      'PodDisruptionBudget',
      'Service',
      'ServiceAccount',
    ]);
    for (const object of objects) {
      const Model = MODELS[`${object.apiVersion}/${object.kind}`];
      expect(Model).toBeDefined();
      expect(() => new Model(object).validate()).not.toThrow();
    }
    const namespaced = objects.filter(o => o.kind !== 'Namespace');
    expect([...new Set(namespaced.map(o => o.metadata.namespace))]).toEqual([
      'developer-portal',
    ]);
  });

  it('a schema check that can fail: a Deployment without containers is refused', () => {
    const broken = JSON.parse(JSON.stringify(one('Deployment')));
    delete broken.spec.template.spec.containers;
    expect(() => new Deployment(broken).validate()).toThrow(/containers/);
  });

  it('runs two or more non-root, read-only replicas with health probes and resources', () => {
    const deployment = one('Deployment');
    expect(deployment.spec.replicas).toBeGreaterThanOrEqual(2);
    expect(deployment.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
    const pod = deployment.spec.template.spec;
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.automountServiceAccountToken).toBe(false);
    const [portal] = pod.containers;
    expect(portal.image).toMatch(
      /^ghcr\.io\/acme-commerce\/acme-developer-portal:/,
    );
    expect(portal.readinessProbe.httpGet.path).toBe(
      '/.backstage/health/v1/readiness',
    );
    expect(portal.livenessProbe.httpGet.path).toBe(
      '/.backstage/health/v1/liveness',
    );
    for (const container of [...pod.containers, ...pod.initContainers]) {
      expect(container.securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      });
      expect(container.resources.requests).toBeDefined();
      expect(container.resources.limits.memory).toBeDefined();
    }
    // The writable places a read-only root needs: temp files and TechDocs.
    expect(portal.volumeMounts.map((m: any) => m.mountPath).sort()).toEqual([
      '/app/data',
      '/tmp',
    ]);
  });

  it('takes configuration from the ConfigMap and secrets from a Secret it does not ship', () => {
    const [portal] = one('Deployment').spec.template.spec.containers;
    expect(portal.envFrom).toEqual([
      { configMapRef: { name: one('ConfigMap').metadata.name } },
      { secretRef: { name: 'portal-secrets' } },
    ]);
    expect(objects.some(o => o.kind === 'Secret')).toBe(false);
    // Every value the production configuration reads from the environment
    // comes from one or the other.
    const production = fs
      .readFileSync(path.join(ROOT, 'app-config.production.yaml'), 'utf8')
      .split('\n')
      .filter(line => !line.trim().startsWith('#'))
      .join('\n');
    const required = [...production.matchAll(/\$\{([A-Z_]+)\}/g)].map(
      m => m[1],
    );
    const example = parseAllDocuments(
      fs.readFileSync(
        path.join(ROOT, 'deploy/portal/secret.example.yaml'),
        'utf8',
      ),
    )[0].toJSON();
    const provided = new Set([
      ...Object.keys(one('ConfigMap').data),
      ...Object.keys(example.stringData),
    ]);
    expect(required.filter(name => !provided.has(name))).toEqual([]);
  });

  it('bounds Node’s heap well below the container’s memory limit, with few malloc arenas', () => {
    const [portal] = one('Deployment').spec.template.spec.containers;
    const mib = (quantity: string) => {
      const m = /^(\d+)(Mi|Gi)$/.exec(quantity);
      if (!m) throw new Error(`unexpected quantity ${quantity}`);
      return Number(m[1]) * (m[2] === 'Gi' ? 1024 : 1);
    };
    const { NODE_OPTIONS, MALLOC_ARENA_MAX } = one('ConfigMap').data;
    const heap = Number(/--max-old-space-size=(\d+)/.exec(NODE_OPTIONS)?.[1]);
    // Room for the young generation, native memory and code beside the
    // heap: bench:load's soak measures the whole process with these.
    expect(heap).toBeGreaterThan(0);
    expect(heap + 768).toBeLessThanOrEqual(mib(portal.resources.limits.memory));
    expect(MALLOC_ARENA_MAX).toBe('2');
    // The image has the same default without the ConfigMap.
    expect(fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8')).toMatch(
      /^ENV MALLOC_ARENA_MAX=2$/m,
    );
  });

  it('keeps a replica through disruptions, scales from two, and selects its own pods', () => {
    const labels = one('Deployment').spec.template.metadata.labels;
    const pdb = one('PodDisruptionBudget');
    expect(pdb.spec.minAvailable).toBe(1);
    expect(matches(pdb.spec.selector.matchLabels, labels)).toBe(true);
    const hpa = one('HorizontalPodAutoscaler');
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    expect(hpa.spec.scaleTargetRef.name).toBe(one('Deployment').metadata.name);
    expect(matches(one('Service').spec.selector, labels)).toBe(true);
    expect(
      matches(one('NetworkPolicy').spec.podSelector.matchLabels, labels),
    ).toBe(true);
    expect(
      one('Ingress').spec.rules[0].http.paths[0].backend.service.name,
    ).toBe(one('Service').metadata.name);
  });

  it("is admitted by the golden path's own admission policy, and the policy still refuses a bare Deployment", () => {
    const deployment = one('Deployment');
    expect(admit(deployment)).toEqual([]);
    const bare = JSON.parse(JSON.stringify(deployment));
    delete bare.metadata.labels['portal.acme.example/owner'];
    bare.spec.template.spec.initContainers = [];
    expect(admit(bare)).toHaveLength(2);
  });
});
