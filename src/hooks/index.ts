/**
 * @module
 * Hook events and the registry that turns them into metrics and spans.
 */
export { HookRegistry } from './registry.js';
export type * from './events.js';
