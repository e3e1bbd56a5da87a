// Run by the Bun and Deno decorator tests as an app would run it: `bun run` or `deno run`, with
// standard decorators (the default) or with experimentalDecorators (started in ./legacy, whose
// tsconfig.json and deno.json set it). Prints what it saw as JSON.
import { metered, setDefaultMonitor, traced } from '../../../src/index.ts';
import { createTestMonitor } from '../../../src/testing/index.ts';

let mode = '';
// A legacy method decorator gets (prototype, key, descriptor); a standard one (method, context).
const probe = (...args: unknown[]): void => {
  mode = typeof args[1] === 'string' ? 'legacy' : 'standard';
};

class ValidationError extends Error {
  override name = 'ValidationError';
}

class Orders {
  constructor(readonly prefix: string) {}

  @probe
  @traced()
  @metered()
  label(id: string): string {
    return `${this.prefix}-${id}`;
  }

  @traced('process_order')
  @metered('orders_processed')
  async process(id: string): Promise<string> {
    await new Promise((r) => setTimeout(r, 1));
    if (!id) throw new ValidationError('empty order');
    return this.label(id);
  }

  @traced
  static create(prefix: string): Orders {
    return new Orders(prefix);
  }
}

const { monitor, memory } = createTestMonitor();
setDefaultMonitor(monitor);
const results: unknown[] = [Orders.create('ord').label('1'), await new Orders('o').process('2')];
await new Orders('o').process('').catch((e: Error) => results.push(e.name));
await monitor.flush();
const calls = Object.fromEntries(
  monitor.metrics
    .collect()
    .metrics.filter((m) => m.name.endsWith('_total'))
    .map((m) => [m.name, (m.points as { attributes: unknown; value: number }[]).map((p) => [p.attributes, p.value])]),
);
console.log(JSON.stringify({ mode, results, spans: memory.spans.map((s) => `${s.name}:${s.status.code}`), calls }));
