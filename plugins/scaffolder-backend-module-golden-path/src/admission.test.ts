/*
 * The cluster's golden-path admission policy (deploy/admission), evaluated
 * with a CEL interpreter the way the API server evaluates it: the
 * template's own Deployment is admitted, workloads off the path are refused
 * with the policy's message.
 */
import { evaluate } from '@marcbachmann/cel-js';
import fs from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

const ROOT = path.resolve(__dirname, '../../..');
const [policy, binding] = parseAllDocuments(
  fs.readFileSync(
    path.join(ROOT, 'deploy/admission/golden-path-policy.yaml'),
    'utf8',
  ),
).map(d => d.toJSON());

/** The messages of the validations an object fails ([] = admitted). */
function admit(object: any): string[] {
  const variables: Record<string, unknown> = {};
  for (const v of policy.spec.variables) {
    variables[v.name] = evaluate(v.expression, { object, variables });
  }
  return policy.spec.validations
    .filter((v: any) => evaluate(v.expression, { object, variables }) !== true)
    .map((v: any) => v.message);
}

/** The template's Deployment, rendered with plain values. */
function templateDeployment(): any {
  const text = fs
    .readFileSync(
      path.join(
        ROOT,
        'templates/golden-path/skeletons/deploy/deploy/kubernetes/deployment.yaml',
      ),
      'utf8',
    )
    .replace(
      /\$\{\{ values\.(\w+) \}\}/g,
      (_, key) =>
        (({ port: '8080' } as Record<string, string>)[key] ??
        `v-${key.toLowerCase()}`),
    );
  return parse(text);
}

describe('golden-path admission policy', () => {
  it('is a ValidatingAdmissionPolicy with a binding that denies', () => {
    expect(policy.kind).toBe('ValidatingAdmissionPolicy');
    expect(policy.spec.failurePolicy).toBe('Fail');
    expect(binding.kind).toBe('ValidatingAdmissionPolicyBinding');
    expect(binding.spec.policyName).toBe(policy.metadata.name);
    expect(binding.spec.validationActions).toContain('Deny');
  });

  it("admits the golden path's own Deployment", () => {
    expect(admit(templateDeployment())).toEqual([]);
  });

  it('admits the security sidecar as an ordinary container too', () => {
    const d = templateDeployment();
    d.spec.template.spec.containers.push(
      d.spec.template.spec.initContainers[0],
    );
    delete d.spec.template.spec.initContainers;
    expect(admit(d)).toEqual([]);
  });

  it('refuses a workload without the owner label', () => {
    const d = templateDeployment();
    delete d.spec.template.metadata.labels['portal.acme.example/owner'];
    expect(admit(d)).toEqual([
      expect.stringMatching(/need the label portal.acme.example\/owner/),
    ]);
  });

  it('refuses a workload without the cost label, or without any labels', () => {
    const d = templateDeployment();
    d.metadata.labels = { ...d.metadata.labels };
    delete d.metadata.labels['portal.acme.example/cost-entity'];
    expect(admit(d)).toEqual([
      expect.stringMatching(/portal.acme.example\/cost-entity/),
    ]);
    delete d.metadata.labels;
    delete d.spec.template.metadata.labels;
    expect(admit(d)).toHaveLength(2);
  });

  it('refuses a pod without the security sidecar', () => {
    const d = templateDeployment();
    delete d.spec.template.spec.initContainers;
    expect(admit(d)).toEqual([
      'the pod needs the security-sidecar container (or native sidecar)',
    ]);
  });
});
