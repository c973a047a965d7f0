/**
 * Code-unit order of strings: the same on every machine and locale
 * (`localeCompare` depends on the ICU data and the locale, and would reorder
 * generated files between machines).
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Compares `[key, value]` entries by key, in {@link compareText} order. */
export function byKey<T>([a]: [string, T], [b]: [string, T]): number {
  return compareText(a, b);
}
