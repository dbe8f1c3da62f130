import type { Locale } from '../../domain/locale.js';
import { en, type Strings } from './en.js';
import { ja } from './ja.js';

export type { Strings } from './en.js';

const byLocale: Record<Locale, Strings> = { en, ja };

/** The strings of one language. */
export function stringsFor(locale: Locale): Strings {
  return byLocale[locale];
}

/** Fills `{name}` placeholders; unknown placeholders stay as they are. */
export function format(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (match, key: string) => values[key] ?? match);
}
