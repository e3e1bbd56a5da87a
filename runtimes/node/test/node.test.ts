import { afterAll, describe, test } from 'vitest';
import { decodeProto } from '../../../test/otlp/helpers/proto-decoder.js';
import { untraceGlobalFetch } from '../../../src/adapter/process-server.js';
import { scenarios, type RuntimeUnderTest } from '../../test-support/scenarios.js';
import { serve } from '../index.js';

const node: RuntimeUnderTest = {
  name: 'node',
  protocol: 'http/protobuf',
  decode: decodeProto,
  async start(handler, monitor) {
    const s = await serve(handler, monitor, { port: 0, hostname: '127.0.0.1', flushOnExit: false });
    return { url: s.url, flush: () => s.handler.flush(), stop: () => s.close() };
  },
};

describe('node adapter in Node (protobuf decoded by protobufjs)', () => {
  afterAll(() => untraceGlobalFetch());
  for (const s of scenarios(node)) test(s.name, () => s.run(), 30_000);
});
