/**
 * `tailSampling` keeps a trace when one of its rules says so (as the OpenTelemetry Collector's
 * tail_sampling processor does): without `ratio` the other traces are dropped. Before, a missing
 * `ratio` meant "keep every trace", so keepErrors, slowerThanMs and policies had no effect.
 */
import { describe, expect, it } from 'vitest';
import { createMonitor, handleRequest, MemoryBackend } from '../../index.js';
import type { TailSamplingOptions } from './tail.js';

async function serverSpans(tailSampling: TailSamplingOptions, paths: string[]): Promise<string[]> {
  const memory = new MemoryBackend();
  const monitor = createMonitor({ serviceName: 'tail-default', backends: [memory], tailSampling, onDiagnostic: () => {} });
  for (const path of paths) {
    await handleRequest(monitor, new Request(`http://localhost${path}`), async () => new Response('x', { status: path === '/fail' ? 500 : 200 }));
  }
  await monitor.flush();
  return memory.spans.map((s) => String(s.attributes['url.path']));
}

describe('tailSampling without ratio', () => {
  it('{ keepErrors, slowerThanMs } keeps the failed trace only, not the fast successful ones', async () => {
    expect(await serverSpans({ keepErrors: true, slowerThanMs: 500 }, ['/ok', '/ok', '/fail', '/ok'])).toEqual(['/fail']);
  });

  it('{ policies } keeps what a policy keeps (errors too, keepErrors being on by default)', async () => {
    const byPath = (spans: readonly { attributes: Record<string, unknown> }[]) => spans.some((s) => s.attributes['url.path'] === '/keep');
    expect(await serverSpans({ policies: [byPath] }, ['/ok', '/keep', '/fail'])).toEqual(['/keep', '/fail']);
  });

  it('ratio 1 still keeps every trace', async () => {
    expect(await serverSpans({ keepErrors: true, ratio: 1 }, ['/ok', '/fail'])).toEqual(['/ok', '/fail']);
  });

  it('options that can keep no trace throw at createMonitor, saying what to give', () => {
    expect(() => createMonitor({ backends: [], tailSampling: { keepErrors: false } })).toThrow(
      'createMonitor: `tailSampling` keeps no trace; give `ratio`, `slowerThanMs` or `policies`, or leave `keepErrors` true.',
    );
    expect(() => createMonitor({ backends: [], tailSampling: { keepErrors: false, ratio: 0.1 } })).not.toThrow();
  });
});
