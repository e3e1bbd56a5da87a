/**
 * @module
 * Health checks: statuses, the registry, ready-made checks and the `/health` handler.
 */
export { HealthStatus, type HealthCheck, type HealthCheckResult } from './status.js';
export { HealthCheckRegistry, type HealthRegisterOptions, type HealthCheckRegistryOptions, type HealthCheckEntry, type HealthReport } from './registry.js';
export { functionCheck, type HealthCheckFunction, type HealthCheckOutcome } from './function-check.js';
export { httpCheck, type HttpCheckOptions } from './http-check.js';
export { healthHandler, HealthCheckProvider, type HealthHandler, type HealthHandlerOptions, type HealthAuth, type HealthDetails, type HealthSource } from './handler.js';
