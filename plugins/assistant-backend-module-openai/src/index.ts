/**
 * The assistant's OpenAI-compatible model provider.
 *
 * @packageDocumentation
 */
export { assistantModuleOpenAi as default } from './module';
export { OpenAiCompatibleProvider } from './OpenAiCompatibleProvider';
export type { OpenAiCompatibleOptions } from './OpenAiCompatibleProvider';
