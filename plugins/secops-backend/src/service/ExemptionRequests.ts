import { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  Exemption,
  secopsExemptionRequestPermission,
} from '@portal/plugin-secops-common';
import { ExemptionService } from './ExemptionService';
import { FindingService } from './FindingService';
import { SecopsAccess } from './SecopsAccess';

/**
 * A person's request for an exemption of a finding, from the route and from
 * the `request-exemption` action alike: the finding must exist
 * (NotFoundError), the policy must let the person request exemptions for
 * its entity (its owners; NotAllowedError), and ExemptionService's rules
 * apply (a justification, an expiry in the future and within the maximum,
 * one pending or active exemption per finding).
 */
export class ExemptionRequests {
  constructor(
    private readonly deps: {
      access: SecopsAccess;
      findings: FindingService;
      exemptions: ExemptionService;
    },
  ) {}

  async request(
    credentials: BackstageCredentials,
    findingId: string,
    body: { justification: string; expiresAt: Date },
  ): Promise<Exemption> {
    const finding = await this.deps.findings.require(findingId);
    const caller = await this.deps.access.authorize(
      credentials,
      secopsExemptionRequestPermission,
      finding.entityRef,
    );
    return this.deps.exemptions.request(finding, {
      justification: body.justification,
      expiresAt: body.expiresAt,
      requestedBy: caller.principal,
    });
  }
}
