import type { Strings } from '../content/strings/index.js';
import { format } from '../content/strings/index.js';

/** A time as cards show it: `2026-11-25 03:43`, in UTC (the reader's time zone is not known). */
export function formatUtc(date: Date): string {
  return date.toISOString().slice(0, 16).replace('T', ' ');
}

/**
 * A time that the reader's own Teams shows in their time zone and language (Adaptive Cards' DATE and TIME
 * functions, e.g. "Tue, Nov 24, 2026 5:00 PM"), for a card that many people see and that is not drawn again
 * for each of them. A client that does not format them shows the UTC time as written, still readable.
 * Use it only in a TextBlock: that is where every client formats it.
 */
export function formatForReader(date: Date): string {
  // RFC 3339 to the second, as the functions require: no milliseconds.
  const iso = `${date.toISOString().slice(0, 19)}Z`;
  return `{{DATE(${iso}, SHORT)}} {{TIME(${iso})}}`;
}

/** How long ago, in the largest whole unit: minutes under an hour, hours under a day, then days. */
export function formatAge(strings: Strings, since: Date, now: Date): string {
  const units = strings.review.age;
  const minutes = Math.max(0, Math.floor((now.getTime() - since.getTime()) / 60_000));
  if (minutes < 60) return format(units.minutes, { n: String(minutes) });
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return format(units.hours, { n: String(hours) });
  return format(units.days, { n: String(Math.floor(hours / 24)) });
}

/** Hours as people write them: whole hours as they are, fractions to two places (`8`, `0.5`, `0.01`). */
export function formatHours(ms: number): string {
  const hours = ms / 3_600_000;
  return Number.isInteger(hours) ? String(hours) : String(Number(hours.toFixed(2)) || Number(hours.toPrecision(2)));
}
