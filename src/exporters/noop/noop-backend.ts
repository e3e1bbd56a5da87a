import type { Backend, ExportResult } from '../../model/batch.js';

/** Discards everything: for tests that must not record (the original's NoOpMetricsBackend). */
export class NoOpBackend implements Backend {
  readonly name = 'noop';
  readonly temporality = 'none' as const;
  async export(): Promise<ExportResult> {
    return { ok: true };
  }
  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}
