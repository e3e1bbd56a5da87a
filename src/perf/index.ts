/**
 * @module
 * `PerformanceMonitor`: timing blocks and functions, with bounded percentile statistics.
 */
export { PerformanceMonitor, type PerformanceMonitorOptions, type PerformanceStats, type TrackHandle } from './performance-monitor.js';
