export interface Config {
  permission?: {
    portalPolicy?: {
      /**
       * Entity refs of the groups (or users) that administer the portal.
       * Defaults to group:default/team-platform.
       */
      admins?: string[];
    };
  };
}
