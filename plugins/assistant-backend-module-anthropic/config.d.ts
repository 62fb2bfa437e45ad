export interface Config {
  assistant?: {
    /** A Claude model through Anthropic's Messages API. */
    anthropic?: {
      /** @visibility secret */
      apiKey: string;
      /** e.g. claude-sonnet-4-5 */
      model: string;
      /** Default https://api.anthropic.com */
      baseUrl?: string;
      /** Seconds to wait for an answer to start (default 60). */
      timeoutSeconds?: number;
    };
  };
}
