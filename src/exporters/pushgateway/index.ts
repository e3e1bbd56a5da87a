/**
 * Pushgateway push: `PushgatewayBackend` sends cumulative metrics as Prometheus text 0.0.4.
 *
 * @example
 * import { PushgatewayBackend } from '@lexigram/monitor/pushgateway';
 * const push = new PushgatewayBackend({ url: 'http://pushgateway:9091', job: 'nightly' });
 *
 * @module
 */

export { PushgatewayBackend, type PushgatewayBackendOptions } from './backend.js';
export { base64Url, groupingPath } from './grouping-key.js';
