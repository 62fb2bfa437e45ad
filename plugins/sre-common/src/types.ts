import { BurnRateWindow, SloStatus } from './budget';

/** An SLO as its OpenSLO definition declares it. */
export interface SloDefinition {
  entityRef: string;
  name: string;
  displayName: string;
  description?: string;
  /** 0.995 for 99.5 %. */
  target: number;
  /** The rolling window of the objective, e.g. 28d. */
  window: string;
  /** Which SLI source answers its queries (Prometheus). */
  sourceType: string;
  goodQuery: string;
  totalQuery: string;
}

/** One SLO of an entity with its latest evaluation. */
export interface Slo extends SloDefinition {
  id: string;
  /** The SLI over the whole window, 0–1; null without data. */
  sli: number | null;
  /** The share of the budget left (below 0: overspent). */
  errorBudgetRemaining: number | null;
  burnRates: Partial<Record<BurnRateWindow, number | null>>;
  status: SloStatus;
  /** When these values were computed (the last evaluation that worked). */
  evaluatedAt?: string;
  /** The last evaluation's error, when it failed (the values are older). */
  lastError?: string;
  lastErrorAt?: string;
}

/** One evaluation in an SLO's history. */
export interface SloHistoryPoint {
  at: string;
  sli: number | null;
  errorBudgetRemaining: number | null;
  burnRate1h: number | null;
  burnRate6h: number | null;
  status: SloStatus;
}

/** An SLO definition that could not be read, and why. */
export interface SloDefinitionProblem {
  entityRef: string;
  message: string;
}

/** An Alertmanager alert as the portal keeps it. */
export interface ReliabilityAlert {
  id: string;
  entityRef: string;
  alertName: string;
  status: 'firing' | 'resolved';
  severity?: string;
  summary?: string;
  startsAt: string;
  endsAt?: string;
  generatorUrl?: string;
  receivedAt: string;
}

/** A page of a list, with the cursor of the next one. */
export interface Page<T> {
  items: T[];
  nextCursor?: string;
  totalCount: number;
}

/** Where the SLI data comes from, and whether it answers. */
export interface SreSourceStatus {
  configured: boolean;
  sources: Array<{ name: string; type: string; url: string }>;
  lastEvaluationAt?: string;
  lastError?: string;
}

/** A link to the entity's dashboards, logs or traces. */
export interface ObservabilityLink {
  kind: 'dashboards' | 'logs' | 'traces';
  title: string;
  url: string;
  /** From the entity's own annotation, or the portal's URL templates. */
  source: 'annotation' | 'config';
}

/** Which GitHub signal counts as a deploy: deployments or releases. */
export type DeliverySignal = 'deployments' | 'releases';

/** The four DORA measures of an entity over a period. */
export interface DeliveryMetrics {
  entityRef: string;
  signal: DeliverySignal;
  periodDays: number;
  /** Successful deploys in the period. */
  deployments: number;
  deploymentsPerDay: number;
  /** Median hours from a pull request being opened to its deploy. */
  leadTimeHours: number | null;
  /** Failed deploys and incidents over all deploys. */
  changeFailureRate: number | null;
  /** Median hours an incident stayed open. */
  timeToRestoreHours: number | null;
  incidents: number;
  computedAt: string;
  /** The last computation's error (the values are older), if it failed. */
  lastError?: string;
}

/** A team's delivery: its entities' deploys added up, medians of medians. */
export interface TeamDelivery {
  entities: number;
  deployments: number;
  deploymentsPerDay: number;
  leadTimeHours: number | null;
  changeFailureRate: number | null;
  timeToRestoreHours: number | null;
}

/**
 * `GET /me/summary`: the SLOs of everything the signed-in person's teams
 * own (with the groups below them), worst first, for the home page.
 */
export interface MySloSummary {
  /** The person's teams, as entity refs. */
  teams: string[];
  /** How many SLOs those teams have in all. */
  totalCount: number;
  /** The worst eight: exhausted, burning fast, burning, then the rest. */
  worst: Slo[];
}
