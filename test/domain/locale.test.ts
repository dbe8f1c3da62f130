import { describe, expect, it } from 'vitest';
import { greetingName } from '../../src/domain/locale.js';

describe('the name a greeting uses', () => {
  const yuki = { givenName: '由紀', surname: '佐藤', displayName: '佐藤 由紀' };
  const alex = { givenName: 'Alex', surname: 'Wilber', displayName: 'Alex Wilber' };

  it('is the family name in Japanese, whatever the name is written in', () => {
    expect(greetingName(yuki, 'ja')).toBe('佐藤');
    expect(greetingName(alex, 'ja')).toBe('Wilber');
  });

  it('is the given name in English', () => {
    expect(greetingName(alex, 'en')).toBe('Alex');
    expect(greetingName(yuki, 'en')).toBe('由紀');
  });

  it('falls back to the display name when the directory lacks the name the language wants', () => {
    expect(greetingName({ ...yuki, surname: '' }, 'ja')).toBe('佐藤 由紀');
    expect(greetingName({ ...alex, givenName: '  ' }, 'en')).toBe('Alex Wilber');
  });

  it('is nothing when the directory has no name at all', () => {
    expect(greetingName({ givenName: '', surname: '', displayName: ' ' }, 'ja')).toBeUndefined();
  });
});
