import type { InstrumentationScope } from '../../model/resource.js';

/** Items that may carry their own scope (spans made through another tracer, bridged logs). */
export interface Scoped {
  readonly instrumentationScope?: InstrumentationScope;
}

/**
 * Splits items into one group per instrumentation scope, in first-seen order; items without a
 * scope belong to `fallback` (the batch scope). OTLP wants one ScopeSpans/ScopeLogs per scope;
 * scopes differing only by schema URL are separate, as the URL is written beside the scope.
 * The common case, no item with its own scope, returns the input array without copying.
 */
export function groupByScope<T extends Scoped>(
  items: readonly T[],
  fallback: InstrumentationScope,
): { scope: InstrumentationScope; items: readonly T[] }[] {
  let mixed = false;
  for (let i = 0; i < items.length; i++) {
    const s = items[i].instrumentationScope;
    if (s !== undefined && s !== fallback && (s.name !== fallback.name || (s.version ?? '') !== (fallback.version ?? '') || (s.schemaUrl ?? '') !== (fallback.schemaUrl ?? ''))) {
      mixed = true;
      break;
    }
  }
  if (!mixed) return [{ scope: fallback, items }];
  const groups = new Map<string, { scope: InstrumentationScope; items: T[] }>();
  for (const item of items) {
    const scope = item.instrumentationScope ?? fallback;
    const key = scope.name + '\u0000' + (scope.version ?? '') + '\u0000' + (scope.schemaUrl ?? '');
    let g = groups.get(key);
    if (!g) {
      g = { scope, items: [] };
      groups.set(key, g);
    }
    g.items.push(item);
  }
  return [...groups.values()];
}
