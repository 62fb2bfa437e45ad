/*
 * Where a repository stands on the golden path, from its files and the
 * catalog: in the catalog or not (an entity registered from it), its
 * pipeline (the golden path's reusable workflow, one of its own, or none),
 * the golden-path version it records, and whether its owner is known.
 * And the effort several repositories spend on the same thing: jobs of
 * their workflows that run the same steps, grouped as candidates for the
 * path.
 */
import { AdoptionSummary, RepositoryState } from '@portal/common';
import { parse } from 'yaml';
import { FoundRepository } from './repositories';

/** A job that calls the golden path's reusable workflow. */
const GOLDEN_PATH_WORKFLOW = /\/\.github\/workflows\/golden-path\.ya?ml@/;
const TEMPLATE_VERSION = 'acme.example/template-version';

export type PipelineKind = RepositoryState['pipeline'];

/** A repository's standing, as the Adoption page lists it. */
export type { RepositoryState };

/** Jobs several repositories run with the same steps (and how alike, 0 to 1). */
export type DuplicateGroup = AdoptionSummary['duplicates'][number];

type Job = {
  'runs-on'?: unknown;
  uses?: string;
  steps?: Array<{ uses?: string; run?: string }>;
};

function jobsOf(text: string): Record<string, Job> {
  try {
    const doc = parse(text, { maxAliasCount: 20 });
    return doc && typeof doc.jobs === 'object' && doc.jobs ? doc.jobs : {};
  } catch {
    return {};
  }
}

/** A step as compared: the action without its version, or the command as written. */
function stepKey(step: { uses?: string; run?: string }): string | undefined {
  if (typeof step?.uses === 'string') {
    return `uses: ${step.uses.split('@')[0].trim()}`;
  }
  if (typeof step?.run === 'string') {
    return `run: ${step.run.trim().replace(/\s+/g, ' ')}`;
  }
  return undefined;
}

/** The golden-path version recorded in a catalog-info.yaml, if any. */
function recordedVersion(catalogInfo?: string): string | undefined {
  if (!catalogInfo) return undefined;
  const match = new RegExp(
    `${TEMPLATE_VERSION.replace(/[./]/g, '\\$&')}:\\s*['"]?([0-9][0-9.]*)`,
  ).exec(catalogInfo);
  return match?.[1];
}

export function pipelineOf(repository: FoundRepository): PipelineKind {
  if (!repository.workflows.length) return 'none';
  const onPath = repository.workflows.some(w =>
    Object.values(jobsOf(w.text)).some(
      job =>
        typeof job?.uses === 'string' && GOLDEN_PATH_WORKFLOW.test(job.uses),
    ),
  );
  return onPath ? 'golden-path' : 'custom';
}

export function stateOf(
  repository: FoundRepository,
  claims: Array<{ entityRef: string; ownerRef?: string }>,
): RepositoryState {
  const pipeline = pipelineOf(repository);
  return {
    name: repository.name,
    target: repository.target,
    url: repository.url,
    inCatalog: claims.length > 0,
    entityRefs: claims.map(c => c.entityRef),
    ownerRef: claims.find(c => c.ownerRef)?.ownerRef,
    pipeline,
    goldenPathVersion:
      pipeline === 'golden-path'
        ? recordedVersion(repository.catalogInfo)
        : undefined,
    workflows: repository.workflows.map(w => w.path),
  };
}

/**
 * Jobs of hand-made pipelines (not the golden path's) in different
 * repositories whose steps are alike: at least `minShared` steps in common
 * and `minSimilarity` of all their steps. Groups are built around the job
 * with the most alike jobs first; each job is in one group at most.
 */
export function duplicateJobs(
  repositories: FoundRepository[],
  options: { minShared?: number; minSimilarity?: number } = {},
): DuplicateGroup[] {
  const minShared = options.minShared ?? 3;
  const minSimilarity = options.minSimilarity ?? 0.6;
  const jobs: Array<{
    repository: string;
    workflow: string;
    job: string;
    steps: Set<string>;
    order: string[];
  }> = [];
  for (const repository of repositories) {
    for (const workflow of repository.workflows) {
      for (const [name, job] of Object.entries(jobsOf(workflow.text))) {
        if (!Array.isArray(job?.steps)) continue;
        const order = job.steps.map(stepKey).filter((k): k is string => !!k);
        if (order.length < minShared) continue;
        jobs.push({
          repository: repository.name,
          workflow: workflow.path,
          job: name,
          steps: new Set(order),
          order,
        });
      }
    }
  }
  type Match = { j: number; similarity: number };
  const alike = (a: (typeof jobs)[number], b: (typeof jobs)[number]) => {
    if (a.repository === b.repository) return undefined;
    const [fewer, more] =
      a.steps.size <= b.steps.size ? [a.steps, b.steps] : [b.steps, a.steps];
    let shared = 0;
    for (const step of fewer) if (more.has(step)) shared += 1;
    const similarity = shared / (a.steps.size + b.steps.size - shared);
    return shared >= minShared && similarity >= minSimilarity
      ? similarity
      : undefined;
  };
  // Only jobs that share a step are compared, through an index of the
  // jobs by step; and of each job only its rarest steps are indexed and
  // looked up (prefix filtering): two alike jobs share at least `least` of
  // each one's steps (minShared, and minSimilarity of its own), so they
  // share one of its first size - least + 1 steps, rarest first. The most
  // common steps (a checkout every job runs) are left out, so that jobs
  // alike in nothing else are never compared: the work grows with the
  // jobs, not with their pairs (but for the pairs that are alike).
  const frequency = new Map<string, number>();
  for (const job of jobs) {
    for (const step of job.steps) {
      frequency.set(step, (frequency.get(step) ?? 0) + 1);
    }
  }
  const withStep = new Map<string, number[]>();
  const matchesOf: Match[][] = jobs.map(() => []);
  jobs.forEach((job, i) => {
    const least = Math.max(
      1,
      minShared,
      Math.ceil(minSimilarity * job.steps.size - 1e-9),
    );
    const rarest = [...job.steps]
      .map(step => ({ step, n: frequency.get(step)! }))
      .sort((a, b) => a.n - b.n || (a.step < b.step ? -1 : 1))
      .slice(0, Math.max(0, job.steps.size - least + 1))
      .map(({ step }) => step);
    const compared = new Set<number>();
    for (const step of rarest) {
      for (const j of withStep.get(step) ?? []) {
        if (compared.has(j)) continue;
        compared.add(j);
        const similarity = alike(jobs[j], job);
        if (similarity !== undefined) {
          matchesOf[i].push({ j, similarity });
          matchesOf[j].push({ j: i, similarity });
        }
      }
    }
    for (const step of rarest) {
      const list = withStep.get(step);
      if (list) list.push(i);
      else withStep.set(step, [i]);
    }
  });
  const used = new Set<number>();
  const groups: DuplicateGroup[] = [];
  const candidates = matchesOf
    .map((matches, i) => ({ i, matches: matches.sort((a, b) => a.j - b.j) }))
    .filter(c => c.matches.length)
    .sort((a, b) => b.matches.length - a.matches.length);
  for (const { i, matches } of candidates) {
    if (used.has(i)) continue;
    const members = matches.filter(m => !used.has(m.j));
    if (!members.length) continue;
    const all = [i, ...members.map(m => m.j)];
    all.forEach(k => used.add(k));
    const shared = jobs[i].order.filter(step =>
      members.every(m => jobs[m.j].steps.has(step)),
    );
    groups.push({
      steps: shared,
      similarity:
        Math.round(
          (members.reduce((n, m) => n + m.similarity, 0) / members.length) *
            100,
        ) / 100,
      jobs: all.map(k => ({
        repository: jobs[k].repository,
        workflow: jobs[k].workflow,
        job: jobs[k].job,
      })),
    });
  }
  return groups;
}
