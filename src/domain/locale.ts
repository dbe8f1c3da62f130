/** The languages the bot speaks. */
export type Locale = 'en' | 'ja';

export const LOCALES: readonly Locale[] = ['en', 'ja'];

/** Picks the bot's language from a BCP 47 tag such as `ja-JP`, falling back when unknown. */
export function resolveLocale(tag: string | undefined, fallback: Locale): Locale {
  const language = tag?.trim().toLowerCase().split(/[-_]/)[0];
  return LOCALES.find((locale) => locale === language) ?? fallback;
}

/** The names a directory keeps for a person, as far as a greeting needs them. */
export interface PersonName {
  givenName: string;
  surname: string;
  displayName: string;
}

/**
 * The name to greet a person by in a language: the family name in Japanese (the strings add さん), the given
 * name in English; the display name where the directory lacks that one, undefined where it has none at all.
 */
export function greetingName(person: PersonName, locale: Locale): string | undefined {
  const preferred = locale === 'ja' ? person.surname : person.givenName;
  return preferred.trim() || person.displayName.trim() || undefined;
}
