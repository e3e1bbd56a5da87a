import { describe, expect, it } from 'vitest';
import { createTestMonitor } from '../testing/index.js';

// A span remembers, per attribute position, the last key stored there and what its monitor's
// redactor said of it: these check that the answer is never carried to another redactor or key.
describe('span attributes set in the same positions by spans of several monitors', () => {
  it('redacts a key for the monitor whose redactFields name it, and only for that one, however the spans alternate', async () => {
    const plain = createTestMonitor({ logging: { redactDefaults: false } });
    const strict = createTestMonitor({ logging: { redactDefaults: false, redactFields: ['ssn'] } });
    for (let i = 0; i < 3; i++) {
      for (const { monitor } of [plain, strict, plain]) {
        const s = monitor.tracer.startSpan(`span ${i}`);
        s.setAttribute('ssn', '123-45-6789');
        s.setAttribute('http.route', '/users/:id');
        s.end();
      }
    }
    await plain.monitor.flush();
    await strict.monitor.flush();
    expect(plain.memory.spans).toHaveLength(6);
    for (const s of plain.memory.spans) expect(s.attributes).toEqual({ ssn: '123-45-6789', 'http.route': '/users/:id' });
    expect(strict.memory.spans).toHaveLength(3);
    for (const s of strict.memory.spans) expect(s.attributes).toEqual({ ssn: '[REDACTED]', 'http.route': '/users/:id' });
  });

  it('counts a key set again at a later position once, whatever key that position held before', async () => {
    // With room for three attributes, a fourth distinct key would be dropped: a replaced key must not take room.
    const { monitor, memory } = createTestMonitor({ limits: { attributeCountLimit: 3 } });
    for (let i = 0; i < 2; i++) {
      const a = monitor.tracer.startSpan('a');
      a.setAttribute('k0', 1).setAttribute('k1', 2).setAttribute('k2', 3);
      a.end();
      const b = monitor.tracer.startSpan('b');
      b.setAttribute('k2', 'x').setAttribute('k0', 'y').setAttribute('k2', 'z').setAttribute('k1', 'w');
      b.end();
    }
    await monitor.flush();
    const b = memory.spans.filter((s) => s.name === 'b');
    expect(b).toHaveLength(2);
    for (const s of b) {
      expect(s.attributes).toEqual({ k2: 'z', k0: 'y', k1: 'w' });
      expect(s.droppedAttributesCount).toBe(0);
    }
  });
});
