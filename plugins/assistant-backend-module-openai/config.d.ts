export interface Config {
  assistant?: {
    /**
     * A model behind an OpenAI-compatible chat completions API with tools:
     * OpenAI, Azure OpenAI, vLLM, Ollama, llama.cpp server, LiteLLM.
     */
    openai?: {
      /** Up to /v1, e.g. https://api.openai.com/v1 or http://ollama:11434/v1 */
      baseUrl: string;
      model: string;
      /** @visibility secret */
      apiKey?: string;
      /** The header the key goes in: authorization (default, as a bearer token) or api-key (Azure). */
      apiKeyHeader?: string;
      /** Azure OpenAI's api-version. */
      apiVersion?: string;
      /** Seconds to wait for an answer to start (default 60). */
      timeoutSeconds?: number;
    };
  };
}
