export interface Config {
  permission?: {
    portalPolicy?: {
      /**
       * Entity refs of the groups (or users) that administer the portal.
       * Defaults to group:default/team-platform.
       */
      admins?: string[];
      /**
       * Entity refs of the groups that make up the security organisation.
       * Defaults to group:default/security.
       */
      security?: string[];
      /**
       * Entity refs of the groups that make up finance: they see every
       * team's cost. Defaults to group:default/finance.
       */
      finance?: string[];
      /**
       * Entity refs of the business groups: they see product economics.
       * Defaults to group:default/business.
       */
      business?: string[];
    };
  };
}
