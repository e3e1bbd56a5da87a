import { afterEach, beforeEach } from 'vitest';

/**
 * The rejections Node reports unhandled during each test of the calling file or `describe`
 * (emptied before each test): "never break the host app", since an unhandled rejection ends a
 * Node process. Read it after the microtask queue has drained.
 */
export function unhandledRejections(): unknown[] {
  const seen: unknown[] = [];
  const record = (reason: unknown): void => void seen.push(reason);
  beforeEach(() => {
    seen.length = 0;
    process.on('unhandledRejection', record);
  });
  afterEach(() => void process.off('unhandledRejection', record));
  return seen;
}
