import type { Strings } from '../content/strings/index.js';
import { format } from '../content/strings/index.js';

/** A time as cards show it: `2026-11-25 03:43`, in UTC (the reader's time zone is not known). */
export function formatUtc(date: Date): string {
  return date.toISOString().slice(0, 16).replace('T', ' ');
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
