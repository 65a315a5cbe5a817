/**
 * Default layer names as Keras 2.2.4 made them (keras/engine/base_layer.py + _to_snake_case):
 * snake_case of the class name, then a per-prefix counter starting at 1 for the process.
 */
const counters = new Map<string, number>();

export function snakeCase(className: string): string {
  const intermediate = className.replace(/(.)([A-Z][a-z0-9]+)/g, '$1_$2');
  return intermediate.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
}

export function uniqueName(className: string): string {
  const prefix = snakeCase(className);
  const n = (counters.get(prefix) ?? 0) + 1;
  counters.set(prefix, n);
  return `${prefix}_${n}`;
}

/** Starts every counter again at 1 (Keras's `K.clear_session()`). */
export function resetNames(): void {
  counters.clear();
}
