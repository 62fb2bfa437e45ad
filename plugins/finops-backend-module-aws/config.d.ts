export interface Config {
  finops?: {
    /** AWS Cost Explorer as a cost source; leave out to not use it. */
    aws?: {
      /** The Cost Explorer endpoint's region. Default us-east-1. */
      region?: string;
      /**
       * UnblendedCost, AmortizedCost (the default), NetAmortizedCost,
       * NetUnblendedCost or BlendedCost.
       */
      metric?: string;
      /** Recent days asked for again on every refresh. Default 3. */
      refreshDays?: number;
      /** Months the first run goes back. Default 13. */
      backfillMonths?: number;
      /** Days fetched less than this many hours ago are not asked for again. Default 5. */
      minRefetchHours?: number;
      /** Attempts per call when AWS throttles. Default 6. */
      maxAttempts?: number;
      /** Without these, the SDK's default credential chain is used. */
      accessKeyId?: string;
      /** @visibility secret */
      secretAccessKey?: string;
    };
  };
}
