export interface Config {
  assistant?: {
    /**
     * Actions that write which the assistant may propose (their ids, such
     * as `secops:request-exemption`): each is done only when the person
     * confirms it on the Ask page, with their own permissions. Destructive
     * actions are never offered. None unless listed.
     */
    confirmableActions?: string[];
    /** How far one answer may go. */
    limits?: {
      /** Model turns per answer (default 8). */
      maxSteps?: number;
      /** Tool calls the model may ask for in one turn (default 6). */
      maxToolCallsPerStep?: number;
      /** Tokens, in and out over all turns, per answer (default 80000). */
      maxTokens?: number;
      /** Tokens the model may write in one turn (default 1500). */
      maxOutputTokens?: number;
      /** Seconds per answer (default 90). */
      timeoutSeconds?: number;
      /** A tool's output is cut to this many characters (default 12000). */
      maxToolOutputChars?: number;
    };
  };
}
