/**
 * A config function `(env) => options` that returns no options (null, an array, nothing: an arrow
 * `(env) => { serviceName: 'api' }` is a block returning undefined), or a config that is an array,
 * is a configuration error: it throws where the monitor is built, saying what to return. Taken as
 * `{}` before, every option the user meant was lost without a word.
 */
import { describe, expect, test } from 'vitest';
import { wrapFunction } from '../../runtimes/serverless/index.js';
import { instrument as nodeInstrument } from '../../runtimes/node/index.js';
import { monitorMiddleware } from '../middleware/hono/index.js';
import { Monitor } from '../monitor.js';
import { checkConfigNow, configResult, monitorFromConfig } from './monitor-from-config.js';

const WRONG_RESULTS: [unknown, string][] = [
  [null, 'null'],
  [undefined, 'undefined'],
  [[], 'an array'],
  ['api', '"api"'],
];
const returns = (adapter: string, got: string): RegExp =>
  new RegExp(`^${adapter}: config \\(env\\) => options must return a Monitor or an options object, got ${got}\\.$`);

describe('a config function that returns no options object throws when it is called', () => {
  test.each(WRONG_RESULTS)('monitorFromConfig, wrapFunction and Node instrument: returning %j (%s)', (result, got) => {
    expect(() => monitorFromConfig(() => result as never, {}, undefined, 'instrument')).toThrow(returns('instrument', got));
    expect(() => wrapFunction(async () => 'ok', () => result as never)).toThrow(returns('wrapFunction', got));
    expect(() => nodeInstrument(async () => new Response('ok'), () => result as never)).toThrow(returns('instrument', got));
  });

  test('a Monitor or an options object is returned as it is', () => {
    const options = { backends: [] };
    expect(configResult(options, 'instrument')).toBe(options);
    const m = monitorFromConfig(() => ({ backends: [], serviceName: 'api' }), {});
    expect(m).toBeInstanceOf(Monitor);
    expect(monitorFromConfig(() => m, {})).toBe(m);
  });
});

describe('an array given as the config throws where the adapter is called, as createMonitor([]) does', () => {
  const says = (adapter: string): RegExp => new RegExp(`^${adapter}: config must be a Monitor, an options object or a function \\(env\\) => options, got an array\\.$`);
  test('checkConfigNow, monitorFromConfig, wrapFunction, Node instrument, monitorMiddleware', () => {
    expect(() => checkConfigNow([], 'instrument')).toThrow(says('instrument'));
    expect(() => monitorFromConfig([] as never, {}, undefined, 'instrument')).toThrow(says('instrument'));
    expect(() => wrapFunction(async () => 'ok', [] as never)).toThrow(says('wrapFunction'));
    expect(() => nodeInstrument(async () => new Response('ok'), [] as never)).toThrow(says('instrument'));
    expect(() => monitorMiddleware([] as never)).toThrow(says('monitorMiddleware'));
  });
});
