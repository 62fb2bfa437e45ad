import { Slo, SreStatus } from './schema/openapi';

// What the SRE backend answers (Slo, SloHistoryPoint, SloDefinitionProblem,
// ReliabilityAlert, ObservabilityLink, DeliverySignal, DeliveryMetrics,
// TeamDelivery, MySloSummary and the pages and bodies around them) is the
// spec's (plugins/sre-backend/src/schema/openapi.yaml), generated into
// ./schema/openapi. What is left here is derived from it.

/** An SLO as its OpenSLO definition declares it (an SLO without its values). */
export type SloDefinition = Pick<
  Slo,
  | 'entityRef'
  | 'name'
  | 'displayName'
  | 'description'
  | 'target'
  | 'window'
  | 'sourceType'
  | 'goodQuery'
  | 'totalQuery'
>;

/** A page of a list, with the cursor of the next one (one definition for every family). */
export type { Page } from '@portal/common';

/**
 * Where the SLI data comes from, and whether it answers: `GET /status`
 * without the problems (which the route adds).
 */
export type SreSourceStatus = Omit<SreStatus, 'problems'>;
