/**
 * @module
 * Alert notifications for health checks and SLO burn-rate alerts.
 */
export { notifySafely, type Alert, type Notifier } from './notifier.js';
export { webhookNotifier, type WebhookNotifierOptions, type WebhookPayload } from './webhook-notifier.js';
