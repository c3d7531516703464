import type { CodeVersion } from './code-policy';

const range = (section: number, last: number) => Array.from({ length: last }, (_, i) => `${section}.${i + 1}`);

/**
 * The numbered provisions of each version of the Code, from the Code texts (docs/sources.md): the
 * 2020 Code's Part B; the 2022 Code's numbers from the left-hand column of the Ombudsman's 2022→2024
 * change guide; the statutory 2024 Code's sections 1–9. A finding may cite only a provision listed
 * for the version that governed its stage (policy.unit.spec.ts checks every rule against these).
 */
export const CODE_PROVISIONS: Readonly<Record<CodeVersion, ReadonlySet<string>>> = {
  '2020': new Set([...range(1, 7), ...range(2, 8), ...range(3, 21), ...range(4, 15), ...range(5, 11), ...range(6, 11)]),
  '2022': new Set([
    ...range(1, 9),
    ...range(2, 8),
    '3.1',
    '3.2',
    '3.3',
    '3.4',
    ...range(4, 19),
    ...range(5, 20),
    ...range(6, 8),
    ...range(7, 6),
    ...range(8, 4),
    ...range(9, 3),
  ]),
  '2024': new Set([
    ...range(1, 6),
    ...range(2, 5),
    ...range(3, 7),
    ...range(4, 3),
    ...range(5, 15),
    ...range(6, 20),
    ...range(7, 4),
    ...range(8, 5),
    ...range(9, 8),
  ]),
};

/**
 * Whether `provision` (e.g. `6.9(d)`) is a provision of `version`: the paragraph must be listed;
 * a lettered item is allowed only where that version lettered its items (the 2024 Code).
 */
export function isProvisionOf(version: CodeVersion, provision: string): boolean {
  const match = /^(\d+\.\d+)(?:\(([a-z])\))?$/.exec(provision);
  if (!match) return false;
  if (match[2] && version !== '2024') return false;
  return CODE_PROVISIONS[version].has(match[1]!);
}
