/* eslint-disable no-console -- a benchmark reports to the terminal */

/** One target of the design, as measured: what the closing summary lists. */
export interface Verdict {
  what: string;
  figure: string;
  target: string;
  /** undefined: measured, but nothing to hold it to (or it could not be measured: see `figure`). */
  ok: boolean | undefined;
}

/** The value at quantile `q` of ascending `sorted`; NaN when empty. */
export function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

/** The median of `values` (the upper one of an even count). */
export function median(values: readonly number[]): number {
  return quantile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
}

export const ms = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '-');

/** Prints rows as a table with a header and a rule, each column padded to its widest cell. */
export function printTable(header: string[], rows: string[][], rightAligned: ReadonlySet<number>): void {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (rightAligned.has(column) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();
  console.log(line(header));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const row of rows) console.log(line(row));
}

/** The closing summary: every target with its figure, and whether it was met. */
export function printVerdicts(verdicts: readonly Verdict[]): void {
  console.log('\nTargets (DESIGN.md, issue 12)\n');
  printTable(
    ['what', 'measured', 'target', 'verdict'],
    verdicts.map((verdict) => [verdict.what, verdict.figure, verdict.target, verdictText(verdict.ok)]),
    new Set(),
  );
}

export const verdictText = (ok: boolean | undefined) => (ok === undefined ? '' : ok ? 'met' : 'MISSED');
