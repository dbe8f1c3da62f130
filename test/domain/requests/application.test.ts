import { describe, expect, it } from 'vitest';
import { contactKind, validateApplication } from '../../../src/domain/requests/application.js';

const complete = {
  reason: 'lostPhone',
  lostMethods: 'm-1',
  verification: 'videoCall',
  contact: '+65 9123 4567',
  note: '',
};
const known = new Set(['m-1']);

describe('contactKind', () => {
  it.each([
    '+65 9123 4567',
    '+81-90-1234-5678',
    '090-1234-5678',
    '(415) 555-0100',
    '+1 (415) 555-0100',
    '+81 (0)90 1234 5678',
    '415.555.0100',
    '+44 20 7946 0958 ext. 23',
    '03-1234-5678 内線 123',
    '０９０－１２３４－５６７８',
    '090ー1234ー5678',
    '  +6591234567  ',
  ])('takes %s as a phone number', (contact) => {
    expect(contactKind(contact)).toBe('phone');
  });

  it.each(['yuki.sato@example.org', 'megan+helpdesk@contoso.co.jp', 'ｙｕｋｉ＠ｅｘａｍｐｌｅ．ｏｒｇ'])(
    'takes %s as an email address',
    (contact) => {
      expect(contactKind(contact)).toBe('email');
    },
  );

  it.each([
    'call me',
    'my mobile',
    '電話してください',
    '12345',
    '+65 9123 4567 or email',
    '9123 4567 8901 2345 6',
    '65+ 9123 4567',
    '(415) (555) 0100',
    'me@',
    'me@example',
    '@example.org',
    'a b@example.org',
    'Yuki <yuki@example.org>',
    '',
  ])('refuses %j', (contact) => {
    expect(contactKind(contact)).toBeUndefined();
  });
});

describe('validateApplication', () => {
  it('accepts a complete application and keeps the contact exactly as typed', () => {
    const result = validateApplication({ ...complete, contact: ' ０９０－１２３４－５６７８ ' }, known);
    expect(result).toEqual({
      ok: true,
      application: {
        reason: 'lostPhone',
        lostMethodIds: ['m-1'],
        verification: 'videoCall',
        contact: '０９０－１２３４－５６７８',
        note: '',
      },
    });
  });

  it('refuses a contact that is neither a phone number nor an email, keeping every value typed', () => {
    const typed = { ...complete, contact: 'call me', note: 'Lost it on the train' };
    expect(validateApplication(typed, known)).toEqual({
      ok: false,
      problems: { contact: 'notContact' },
      values: typed,
    });
  });

  it('says an empty contact is missing and an overlong one too long, before judging its form', () => {
    expect(validateApplication({ ...complete, contact: '  ' }, known)).toMatchObject({
      problems: { contact: 'required' },
    });
    expect(validateApplication({ ...complete, contact: '1'.repeat(201) }, known)).toMatchObject({
      problems: { contact: 'tooLong' },
    });
  });
});
