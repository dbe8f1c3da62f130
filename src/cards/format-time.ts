/** A time as cards show it: `2026-11-25 03:43`, in UTC (the reader's time zone is not known). */
export function formatUtc(date: Date): string {
  return date.toISOString().slice(0, 16).replace('T', ' ');
}
