import type { LabelsInput } from '../model/attributes.js';
import type { Counter, UpDownCounter } from './counter.js';

/**
 * An observed total (OpenTelemetry observable instruments), read at collection: the series takes
 * the total. A counter's delta moves by the change since the previous observation, or restarts
 * from the total when it went down (a reset, as sdk-metrics reads it). A function of its own
 * rather than a method, so bundles without the OpenTelemetry bridge leave it out.
 */
export function observeTotal(inst: Counter | UpDownCounter, total: number, labels: LabelsInput | undefined): void {
  const counter = inst.type === 'counter';
  if (typeof total !== 'number' || !Number.isFinite(total) || (counter && total < 0)) {
    inst['owner'].diag.drop('invalid_value', `observable ${counter ? '' : 'up-down '}counter "${inst.name}" observed a value that is not a finite${counter ? ' non-negative' : ''} number; it was dropped`);
    return;
  }
  const s = inst['resolve'](labels);
  if (s === undefined) return;
  s.delta += counter && total < s.value ? total : total - s.value;
  s.value = total;
  inst['markDirty'](s);
}
