import { Entity } from '@backstage/catalog-model';
import { GateDecision, GatePolicy } from '@portal/plugin-secops-common';
import { FindingStore, GateDecisionStore } from '../database/types';
import { evaluateGate, gateOutcomes } from './gates';

/**
 * The gate CI asks before it ships: the entity's gate policy (the security
 * team's, GatePolicies; secops.gates until they change them) evaluated on
 * its open findings, leaving out exempted ones. Callers authorize first.
 */
export class GateService {
  constructor(
    private readonly deps: {
      findings: FindingStore;
      gateDecisions: GateDecisionStore;
      /** The gate policies that apply now. */
      gates: () => Promise<GatePolicy[]>;
    },
  ) {}

  /** Evaluates the gate now and records the decision, with who asked. */
  async decide(
    entity: Entity,
    request: { commitSha?: string; branch?: string; requestedBy: string },
  ): Promise<GateDecision & { decisionId: string }> {
    const decision = await this.evaluate(entity);
    const decisionId = await this.deps.gateDecisions.recordGateDecision({
      ...decision,
      ...request,
    });
    return { ...decision, decisionId };
  }

  /** What the gate last answered CI for the entity, if it was asked. */
  async lastDecision(entityRef: string): Promise<GateDecision | undefined> {
    return this.deps.gateDecisions.latestGateDecision(entityRef);
  }

  /** What the gate would answer now, and what it last answered. */
  async status(entity: Entity, entityRef: string) {
    return {
      current: await this.evaluate(entity),
      last: await this.deps.gateDecisions.latestGateDecision(entityRef),
    };
  }

  /** Which of the entities fail their gate now, in their order. */
  async failing(entities: Entity[]): Promise<Entity[]> {
    const outcomes = await gateOutcomes(
      this.deps.findings,
      entities,
      await this.deps.gates(),
      new Date(),
    );
    return entities.filter((_, i) => !outcomes[i].passed);
  }

  private async evaluate(entity: Entity) {
    return evaluateGate(
      this.deps.findings,
      entity,
      await this.deps.gates(),
      new Date(),
    );
  }
}
