/**
 * The table of a parameterised test (`it.each`, `describe.each`), refused when empty: vitest runs
 * no case for an empty table and reports the file green, so a table computed from a list that came
 * out empty (no README example found, no workflow file) would pass while checking nothing.
 * ESLint requires it around every `.each` table (eslint.config.mjs).
 */
export function cases<const T>(table: readonly T[]): readonly T[] {
  if (table.length === 0) throw new Error("a parameterised test's table is empty: it would run no case");
  return table;
}
