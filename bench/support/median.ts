/** The middle one of some measurements, by the figure given (the upper middle for an even count). */
export function medianBy<T>(items: readonly T[], figure: (item: T) => number): T {
  return [...items].sort((a, b) => figure(a) - figure(b))[Math.floor(items.length / 2)]!;
}
