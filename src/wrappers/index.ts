/**
 * @module
 * `traced` and `metered`: function wrappers and TypeScript 5 method decorators.
 */
export { traced, type TracedOptions, type StandardMethodDecorator, type LegacyMethodDecorator } from './traced.js';
export { metered, type MeteredOptions } from './metered.js';
export { setDefaultMonitor, getDefaultMonitor } from './default-monitor.js';
