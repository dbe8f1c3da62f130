/** The languages the bot speaks. */
export type Locale = 'en' | 'ja';

export const LOCALES: readonly Locale[] = ['en', 'ja'];

/** Picks the bot's language from a BCP 47 tag such as `ja-JP`, falling back when unknown. */
export function resolveLocale(tag: string | undefined, fallback: Locale): Locale {
  const language = tag?.trim().toLowerCase().split(/[-_]/)[0];
  return LOCALES.find((locale) => locale === language) ?? fallback;
}
