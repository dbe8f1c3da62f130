import { describe, expect, it } from 'vitest';
import { format, stringsFor } from '../../src/content/strings/index.js';
import { LOCALES, resolveLocale } from '../../src/domain/locale.js';

/** Every leaf of a strings tree, keyed by its path. */
function leaves(node: unknown, path = ''): Map<string, string> {
  const out = new Map<string, string>();
  if (typeof node === 'string') out.set(path, node);
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      for (const [p, v] of leaves(value, path ? `${path}.${key}` : key)) out.set(p, v);
    }
  }
  return out;
}

describe('user-facing strings', () => {
  const en = leaves(stringsFor('en'));

  it.each(LOCALES)('%s has exactly the English keys, none empty', (locale) => {
    const strings = leaves(stringsFor(locale));
    expect([...strings.keys()].sort()).toEqual([...en.keys()].sort());
    for (const [key, value] of strings) expect(value.trim(), key).not.toBe('');
  });

  it('has Japanese text wherever English has words (no untranslated copies)', () => {
    const ja = leaves(stringsFor('ja'));
    for (const [key, value] of ja) {
      // Commands are typed words and stay the same in every language; the language switch
      // names the other language in that language.
      if (key.endsWith('.command') || key.startsWith('pages.otherLanguage.')) continue;
      // Product names are the same in every language.
      if (
        ['diagnosisRecord.kinds.microsoftAuthenticator', 'diagnosisRecord.kinds.windowsHelloForBusiness'].includes(key)
      ) {
        expect(value).toBe(en.get(key));
        continue;
      }
      // Punctuation: the Japanese list separator is a single ideographic comma.
      if (key === 'review.listSeparator') {
        expect(value).toBe('、');
        continue;
      }
      expect(value, key).not.toBe(en.get(key));
      expect(value, key).toMatch(/[\u3040-\u30ff\u4e00-\u9faf]/);
    }
  });

  it('keeps the same placeholders in every language', () => {
    const ja = leaves(stringsFor('ja'));
    const placeholders = (text: string | undefined) => (text?.match(/\{\w+\}/g) ?? []).sort();
    for (const [key, value] of en) expect(placeholders(ja.get(key)), key).toEqual(placeholders(value));
  });

  it('fills placeholders and leaves unknown ones alone', () => {
    expect(format('Hi {name}, {other}', { name: 'Alex' })).toBe('Hi Alex, {other}');
  });

  it.each([
    ['ja-JP', 'ja'],
    ['JA', 'ja'],
    ['en-GB', 'en'],
    ['fr-FR', 'en'],
    [undefined, 'en'],
    ['', 'en'],
  ])('picks %j as %s', (tag, expected) => {
    expect(resolveLocale(tag, 'en')).toBe(expected);
  });
});
