/**
 * An HTTP option given with the monitor's options (`monitorMiddleware({ serviceName, ignoreRequest })`)
 * throws where the app is built, as any unknown option does, and the message now says where it goes:
 * the middleware's second argument. Before, it listed only the monitor's options, under createMonitor's name.
 */
import { describe, expect, it } from 'vitest';
import { monitorMiddleware } from './index.js';

describe('monitorMiddleware: HTTP options in the first argument', () => {
  it('names the second argument', () => {
    expect(() => monitorMiddleware({ serviceName: 'api', ignoreRequest: () => false } as never)).toThrow(
      /unknown option `ignoreRequest`.* HTTP options go in monitorMiddleware's second argument\.$/,
    );
    expect(() => monitorMiddleware({ serviceName: 'api', waitForBody: true } as never)).toThrow(/HTTP options go in monitorMiddleware's second argument/);
  });

  it('leaves the message of another unknown option as it was', () => {
    let message = '';
    try {
      monitorMiddleware({ serviceName: 'api', servceVersion: '1' } as never);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/unknown option `servceVersion`/);
    expect(message).not.toMatch(/second argument/);
  });
});
