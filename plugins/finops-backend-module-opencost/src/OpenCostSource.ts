/*
 * Kubernetes spend from OpenCost's allocation API
 * (`GET /allocation?window=…&aggregate=label:…&step=1d`), a day a set, each
 * workload's cost by the value of its cost-entity label. The golden path's
 * manifests label workloads `portal.acme.example/cost-entity:
 * component.default.cart` (a label value cannot hold ":" or "/"), which is
 * turned back into the entity ref `component:default/cart` so that
 * container spend is attributed as cloud resources are. What carries no
 * label (`__unallocated__`) and the cluster's idle capacity (`__idle__`)
 * come as untagged lines: unattributed spend, shown, never dropped.
 */
import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  CostRow,
  CostSource,
  CostSourceContext,
} from '@portal/plugin-finops-node';

export interface OpenCostOptions {
  /** OpenCost's API (http://opencost.opencost:9003). */
  url: string;
  /** The cluster's name: the lines' account. */
  cluster: string;
  /** The workload label naming the entity. */
  label: string;
  backfillDays: number;
  refreshDays: number;
  currency: string;
  fetch?: typeof fetch;
  /** Today, YYYY-MM-DD (UTC); tests pin it. */
  today?: () => string;
}

/** An allocation of OpenCost's answer (the fields read here). */
interface Allocation {
  name?: string;
  totalCost?: number;
  window?: { start?: string; end?: string };
}

const DAY_MS = 86_400_000;
const addDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS)
    .toISOString()
    .slice(0, 10);

/**
 * Prometheus (and so OpenCost) spells a label's name with underscores:
 * portal.acme.example/cost-entity is portal_acme_example_cost_entity.
 */
export const promLabelName = (label: string) =>
  label.replace(/[^a-zA-Z0-9_]/g, '_');

/**
 * A cost-entity label's value as an entity ref: kind.namespace.name, or
 * kind.name in the default namespace; undefined when it is not one.
 */
export function entityRefOfLabel(value: string): string | undefined {
  const parts = value.split('.');
  if (parts.length < 2 || parts.some(p => !p)) return undefined;
  // kind.name, or kind.namespace.name where the name may hold dots.
  const [kind, namespace, name] =
    parts.length === 2
      ? [parts[0], 'default', parts[1]]
      : [parts[0], parts[1], parts.slice(2).join('.')];
  return stringifyEntityRef({ kind, namespace, name });
}

export class OpenCostSource implements CostSource {
  readonly id: string;
  readonly description: string;

  constructor(private readonly options: OpenCostOptions) {
    this.id = `opencost:${options.cluster}`;
    this.description = `Kubernetes spend of cluster ${options.cluster} from OpenCost (${options.url}), by the ${options.label} label`;
  }

  async refresh(context: CostSourceContext): Promise<void> {
    const today =
      this.options.today?.() ?? new Date().toISOString().slice(0, 10);
    const yesterday = addDays(today, -1);
    const stored = (await context.storedDays()).map(d => d.day).sort();
    const last = stored[stored.length - 1];
    // The days after the last one stored, and the last few again (OpenCost
    // settles a day's figures as its Prometheus data completes).
    const again = addDays(yesterday, -this.options.refreshDays + 1);
    let from = addDays(yesterday, -this.options.backfillDays + 1);
    if (last) {
      const next = addDays(last, 1);
      from = next < again ? next : again;
    }
    if (from > yesterday) return;
    const rows = await this.allocations(from, yesterday, context);
    await context.replaceDays(from, yesterday, rows);
  }

  /** A day's rows per set of the answer, summed by label value. */
  private async allocations(
    from: string,
    to: string,
    context: CostSourceContext,
  ): Promise<CostRow[]> {
    const params = new URLSearchParams({
      window: `${from}T00:00:00Z,${addDays(to, 1)}T00:00:00Z`,
      aggregate: `label:${promLabelName(this.options.label)}`,
      step: '1d',
      accumulate: 'false',
    });
    const url = `${this.options.url.replace(/\/+$/, '')}/allocation?${params}`;
    context.countApiCall();
    const res = await (this.options.fetch ?? fetch)(url, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(60_000),
    });
    if (!res.ok) {
      throw new Error(`OpenCost answered ${res.status} for ${url}`);
    }
    const body = (await res.json()) as {
      code?: number;
      message?: string;
      data?: Array<Record<string, Allocation> | null>;
    };
    if (body.code !== undefined && body.code !== 200) {
      throw new Error(
        `OpenCost answered code ${body.code}: ${body.message ?? 'no message'}`,
      );
    }
    const sums = new Map<string, CostRow>();
    for (const set of body.data ?? []) {
      for (const [key, allocation] of Object.entries(set ?? {})) {
        const start = allocation?.window?.start;
        const amount = Number(allocation?.totalCost ?? 0);
        if (!start || !Number.isFinite(amount) || amount === 0) continue;
        const day = start.slice(0, 10);
        if (day < from || day > to) continue;
        const idle = key === '__idle__';
        // A value that names no entity stays as it is: FinOps lists it as
        // unattributed, with the reason.
        const labelled = !idle && key !== '__unallocated__';
        const tagValue = labelled ? entityRefOfLabel(key) ?? key : undefined;
        const service = idle
          ? 'Kubernetes idle capacity'
          : 'Kubernetes workloads';
        const rowKey = `${day}\u0000${tagValue ?? ''}\u0000${service}`;
        const row = sums.get(rowKey) ?? {
          day,
          tagValue,
          service,
          account: this.options.cluster,
          chargeCategory: 'Usage',
          amount: 0,
          currency: this.options.currency,
          // Yesterday's figures may still change.
          estimated: day === to,
        };
        row.amount += amount;
        sums.set(rowKey, row);
      }
    }
    return [...sums.values()].map(r => ({
      ...r,
      amount: Math.round(r.amount * 1e6) / 1e6,
    }));
  }
}
