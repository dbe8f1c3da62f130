import type { TurnContext } from 'botbuilder';

/** Dates in the person's language and, when Teams sent it with the activity, their time zone (else UTC). */
export function timeFormatter(context: TurnContext, locale: string): (date: Date) => string {
  const options: Intl.DateTimeFormatOptions = { dateStyle: 'medium', timeStyle: 'short' };
  const timeZone = context.activity.localTimezone;
  if (timeZone) {
    try {
      const formatter = new Intl.DateTimeFormat(locale, { ...options, timeZone });
      return (date) => formatter.format(date);
    } catch {
      // An unknown time zone name from the client: UTC, said so.
    }
  }
  const formatter = new Intl.DateTimeFormat(locale, { ...options, timeZone: 'UTC' });
  return (date) => `${formatter.format(date)} UTC`;
}
