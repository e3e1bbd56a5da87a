/**
 * @module
 * Service level objectives: in-process burn rates and Prometheus rules.
 */
export { SLO, type SLOOptions, type SLOKind, type BurnRateWindow } from './slo.js';
export { SLOMonitor, type SLOMonitorOptions, type SLOStatus, type BurnRateStatus } from './slo-monitor.js';
export { promDuration, type PrometheusRulesOptions } from './prometheus-rules.js';
