import { HumanDuration } from '@backstage/types';

export interface Config {
  /**
   * Who the portal's machine callers are (docs/pages/security-model.md).
   * A service token that is neither the portal itself, nor a CI run bound
   * to a repository, nor granted something here is refused by the portal's
   * plugins.
   */
  machineIdentity?: {
    /**
     * How CI tokens name their repository. A CI run may act only on the
     * entities registered from that repository (their origin location).
     */
    ci?: Array<{
      /**
       * The start of the verified token subject, e.g.
       * `external:github-actions:repo:` for GitHub Actions OIDC tokens
       * verified by a jwks entry of backend.auth.externalAccess with
       * subjectPrefix github-actions. The repository follows, up to the
       * next colon.
       */
      subjectPrefix: string;
      /** The repositories' host: github.com, or local (embedded default). */
      host: string;
      /**
       * The GitHub organisations whose CI is accepted. Any repository on
       * GitHub can ask for a token with the portal's audience: name yours.
       */
      owners?: string[];
    }>;
    /**
     * What external machines may do beyond their own repository, by exact
     * subject: secops.upload, secops.read, secops.export, finops.read,
     * finops.import, sre.alerts, sre.read, bi.read.
     */
    grants?: Array<{
      subject: string;
      allow: string[];
    }>;
  };

  /** The ownership service every portal plugin asks (OwnershipService). */
  ownership?: {
    /**
     * How old the group tree each plugin keeps may be before it is read
     * again from the catalog: how long a change to the catalog's groups
     * (a new team, a moved team, a membership's group) takes to reach
     * roll-ups, roles and sign-in ownership. 30 seconds unless set.
     */
    groupTreeMaxAge?: HumanDuration | string;
  };
}
