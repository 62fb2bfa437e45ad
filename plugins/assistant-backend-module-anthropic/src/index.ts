/**
 * The assistant's model provider for Anthropic's Messages API.
 *
 * @packageDocumentation
 */
export { assistantModuleAnthropic as default } from './module';
export { AnthropicProvider, toAnthropic } from './AnthropicProvider';
export type { AnthropicOptions } from './AnthropicProvider';
