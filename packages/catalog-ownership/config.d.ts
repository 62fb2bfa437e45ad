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
}
