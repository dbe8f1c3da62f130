import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { matchIntent, readMessage } from '../../../src/domain/diagnosis/match-intent.js';
import type { IntentDefinition } from '../../../src/domain/diagnosis/match-intent.js';

const PHONE_EN = 'phone|mobile|smartphone|cellphone|cell|iphone|android|device|スマホ|携帯';
const PHONE_JA = 'スマホ|スマートフォン|携帯|電話|iphone|アイフォン|android|アンドロイド|phone';

/** The intents the bot will carry, phrased the way the help articles' readers describe their trouble. */
const INTENTS: readonly IntentDefinition[] = [
  {
    id: 'cant-sign-in',
    phrases: {
      en: [
        '~cannot sign in',
        '~not + access|open + account|teams|outlook|email',
        '~sign in + fail|problem|trouble|error',
      ],
      ja: ['~サインイン|ログイン|サインオン + できない|できず|失敗|エラー', '~アカウント + 入れない|はいれない'],
    },
  },
  {
    id: 'new-phone',
    phrases: {
      en: [
        `new|another|replacement + ${PHONE_EN}`,
        `change|changed|switch|replace|upgrade|swap + ${PHONE_EN}`,
        'move|transfer + authenticator|app + phone|device',
      ],
      ja: [
        '機種変|機種変更|買い替え|買い換え|買いかえ|乗り換え',
        `新しい + ${PHONE_JA}`,
        `${PHONE_JA} + 変え|替え|換え`,
      ],
    },
  },
  {
    id: 'lost-phone',
    phrases: {
      en: [
        `lost|lose|misplaced|stolen|steal|nicked + ${PHONE_EN}`,
        `factory reset|wiped|wipe|formatted|reset + ${PHONE_EN}`,
        `broke|broken|smashed|dead + ${PHONE_EN}`,
        'factory reset',
      ],
      ja: [
        `${PHONE_JA} + なくし|なくな|紛失|盗ま|盗難|落とし|lost|stolen`,
        `${PHONE_JA} + 初期化|リセット|壊れ|こわれ`,
        '初期化',
      ],
    },
  },
  {
    id: 'authenticator-deleted',
    phrases: {
      en: [
        'authenticator|authenticator app|microsoft authenticator|mfa app + deleted|removed|uninstalled|gone|missing',
        'delete|uninstall|remove + app|authenticator',
      ],
      ja: ['認証アプリ|オーセンティケーター|authenticator|アプリ + 削除|けし|消去|アンインストール|きえ'],
    },
  },
  {
    id: 'number-mismatch',
    phrases: {
      en: [
        'number + not + match|same|work',
        'which|wrong|different + number + enter|type|show',
        'number matching',
        'number + enter|type + authenticator|app',
      ],
      ja: ['番号|数字 + 一致しない|合わない|あわない|違う|ちがう', '番号|数字 + どれ|何を|入力'],
    },
  },
  {
    id: 'no-code',
    phrases: {
      en: [
        'not + receive|get|arrive|come + code|sms|text|notification|otp',
        'code|sms|text message|notification|otp + never|not + arrive|come|receive',
        'no + code|sms|notification',
      ],
      ja: ['コード|sms|ショートメール|通知|確認コード + とどかない|来ない|こない|受け取れない|届いていない'],
    },
  },
  {
    id: 'account-locked',
    phrases: {
      en: ['account + locked|lockout|locked out', 'locked out', 'too many + attempts|tries'],
      ja: ['ロック|ロックアウト', 'アカウント + 凍結'],
    },
  },
  {
    id: 'account-disabled',
    phrases: {
      en: ['account + disabled|deactivated|suspended|terminated|blocked', 'account has been disabled'],
      ja: ['アカウント + 無効|停止|凍結|削除され'],
    },
  },
  {
    id: 'password-expired',
    phrases: {
      en: ['password + expired|expire|expiring|old', 'change|update + password + required|must|prompt'],
      ja: ['パスワード + 期限|きれ|失効|有効期限'],
    },
  },
  {
    id: 'forgot-password',
    phrases: {
      en: ['forgot|forget|remember|reset + password', 'wrong|incorrect + password'],
      ja: ['パスワード + 忘れ|わすれ|思い出せ|わから|違う|間違'],
    },
  },
  {
    id: 'invitation-expired',
    phrases: {
      en: [
        'invitation|invite|onboarding email|onboarding + expired|expire|invalid|old',
        'not + receive|find|get + invitation|invite|onboarding email|welcome email',
        'invitation|invite|onboarding email + never|not + arrive|come',
      ],
      ja: [
        '招待|オンボーディング + 期限|きれ|失効|無効',
        '招待|オンボーディング + とどかない|来ない|こない|見つからない',
      ],
    },
  },
  {
    id: 'device-not-eligible',
    phrases: {
      en: ['se gsib|se-gsib', 'litemail|lite mail', 'not + eligible + device|sign up|signup'],
      ja: ['se gsib|se-gsib|segsib', 'litemail|ライトメール', '対象外|対象ではない + 端末|デバイス'],
    },
  },
  {
    id: 'wog-mfa-setup',
    phrases: {
      en: [
        'wog + mfa|verification|authenticator|security + setup|configure|register',
        'gsib + verification|mfa + setup|never',
        'additional security verification',
      ],
      ja: ['wog + 多要素|mfa|セキュリティ|確認|認証 + 設定|登録', 'gsib + 認証|mfa + 設定|登録'],
    },
  },
  {
    id: 'blocked-access',
    phrases: {
      en: [
        'conditional access',
        '"cannot get there from here"',
        'device + not + compliant|compliance|managed',
        'access + blocked|denied + device|location|network|policy',
      ],
      ja: ['条件付きアクセス', 'ここからは|ここから + アクセス|入れない', '準拠|コンプライアンス + デバイス|端末'],
    },
  },
];

const ids = new Set(INTENTS.map((intent) => intent.id));
const idOf = (text: string): string | undefined => matchIntent(text, INTENTS)?.id;

describe('matchIntent', () => {
  describe('recognises English descriptions however they are written', () => {
    it.each([
      ['cant login', 'cant-sign-in'],
      ["can't log in", 'cant-sign-in'],
      ['cannot sign in!!', 'cant-sign-in'],
      ['I CAN NOT SIGN-IN 😭', 'cant-sign-in'],
      ['Ｉ ｃａｎ’ｔ ｌｏｇ ｉｎ', 'cant-sign-in'],
      ['new phone', 'new-phone'],
      ['I got a new phone', 'new-phone'],
      ['changed my phone', 'new-phone'],
      ['lost my phone', 'lost-phone'],
      ['hi, I think I lost my phone yesterday', 'lost-phone'],
      ['my phone was stolen', 'lost-phone'],
      ['factory reset my phone', 'lost-phone'],
      ['authenticator deleted', 'authenticator-deleted'],
      ['I deleted the authenticator app', 'authenticator-deleted'],
      ['deleting authenticator by mistake', 'authenticator-deleted'],
      ["number doesn't match", 'number-mismatch'],
      ['what number do I enter in the authenticator?', 'number-mismatch'],
      ["I'm not receiving the SMS code", 'no-code'],
      ['my account is locked', 'account-locked'],
      ['account disabled', 'account-disabled'],
      ['password expired', 'password-expired'],
      ['I forgot my password', 'forgot-password'],
      ['my onboarding email expired', 'invitation-expired'],
      ['I use an SE GSIB device', 'device-not-eligible'],
      ['how do i set up WOG MFA', 'wog-mfa-setup'],
      ['it says you cant get there from here', 'blocked-access'],
    ])('reads %j as %s', (text, expected) => {
      expect(idOf(text)).toBe(expected);
    });

    it('reads "gone" as missing, never as the verb "go"', () => {
      expect(idOf('my authenticator app is gone')).toBe('authenticator-deleted');
      expect(idOf('the authenticator wants a code before I can go in')).not.toBe('authenticator-deleted');
    });
  });

  describe('forgives typos', () => {
    it.each([
      ['i deleted the authenticater app', 'authenticator-deleted'],
      ['the number dosent match', 'number-mismatch'],
      ['I lsot my phone', 'lost-phone'],
      ['pasword expried', 'password-expired'],
      ['cant sing in', 'cant-sign-in'],
    ])('reads %j as %s', (text, expected) => {
      expect(idOf(text)).toBe(expected);
    });

    it('scores a typo below the same words spelled right', () => {
      const exact = matchIntent('i deleted the authenticator app', INTENTS);
      const typo = matchIntent('i deleted the authenticater app', INTENTS);

      expect(exact?.score).toBe(1);
      expect(typo?.score).toBeGreaterThan(0);
      expect(typo?.score).toBeLessThan(1);
    });

    it('does not read an everyday word as a typo of a keyword', () => {
      expect(idOf('I changed my phone last week')).toBe('new-phone');
      expect(idOf('phone came last')).toBeUndefined();
    });

    it('reads a different first letter as a different word, not a typo', () => {
      const intents: IntentDefinition[] = [{ id: 'lost', phrases: { en: ['lost + phone'], ja: [] } }];

      expect(matchIntent('lsot phone', intents)?.id).toBe('lost');
      expect(matchIntent('cost phone', intents)).toBeUndefined();
    });

    it('does not stretch short words to meet a keyword', () => {
      expect(idOf('password old')).toBe('password-expired');
      expect(idOf('password ol')).toBeUndefined();
    });
  });

  describe('recognises Japanese descriptions and their spelling variants', () => {
    it.each([
      ['サインインできない', 'cant-sign-in'],
      ['ログインできません', 'cant-sign-in'],
      ['ログイン出来ない。', 'cant-sign-in'],
      ['ﾛｸﾞｲﾝ できない', 'cant-sign-in'],
      ['スマホを機種変更した', 'new-phone'],
      ['機種変しました', 'new-phone'],
      ['携帯をなくした', 'lost-phone'],
      ['ケータイを無くしました', 'lost-phone'],
      ['スマートフォンを紛失しました', 'lost-phone'],
      ['認証アプリを消してしまった', 'authenticator-deleted'],
      ['認証アプリをけした', 'authenticator-deleted'],
      ['番号が一致しない', 'number-mismatch'],
      ['番号が一致しません', 'number-mismatch'],
      ['アカウントがロックされた', 'account-locked'],
      ['パスワードの期限が切れた', 'password-expired'],
      ['招待メールの期限が切れた', 'invitation-expired'],
      ['コードが届かない', 'no-code'],
    ])('reads %j as %s', (text, expected) => {
      expect(idOf(text)).toBe(expected);
    });

    it('needs every keyword group of a Japanese phrase', () => {
      const intents: IntentDefinition[] = [{ id: 'screen', phrases: { en: [], ja: ['スマホ + 画面 + 割れ + 修理'] } }];

      expect(matchIntent('スマホの画面が割れて修理に出した', intents)?.id).toBe('screen');
      expect(matchIntent('スマホの画面が割れた', intents)).toBeUndefined();
      expect(idOf('期限が切れた')).toBeUndefined();
    });
  });

  it('reads a message that mixes Japanese and English', () => {
    expect(idOf('スマホ lost')).toBe('lost-phone');
    expect(idOf('iPhoneをなくした')).toBe('lost-phone');
  });

  describe('stays silent when nothing is close enough', () => {
    it.each([
      'hello',
      'help',
      'Help!',
      'asdf qwerty',
      "what's the weather",
      'thanks',
      'ありがとう',
      '',
      '   \n\t ',
      '🙂👍',
      'phone',
      'sign in',
      'password',
    ])('matches nothing for %j', (text) => {
      expect(matchIntent(text, INTENTS)).toBeUndefined();
    });

    it('matches nothing against an empty intent list', () => {
      expect(matchIntent('lost my phone', [])).toBeUndefined();
    });

    it('ignores a phrase made only of filler words, so greetings never match', () => {
      const greedy: IntentDefinition[] = [{ id: 'greeting', phrases: { en: ['hello', 'help me please'], ja: [] } }];

      expect(matchIntent('hello, help me please', greedy)).toBeUndefined();
    });

    it('handles a very long message without throwing', () => {
      const long = 'lorem ipsum スマホ, lost? '.repeat(300).slice(0, 5000);

      expect(long).toHaveLength(5000);
      expect(() => matchIntent(long, INTENTS)).not.toThrow();
    });
  });

  describe('prefers the more specific reading', () => {
    it('picks the cause over a general phrase marked with ~', () => {
      expect(idOf("I can't sign in because I lost my phone")).toBe('lost-phone');
      expect(idOf('スマホをなくしてログインできない')).toBe('lost-phone');
      expect(idOf('cannot sign in, the number does not match')).toBe('number-mismatch');
    });

    it('prefers the intent whose phrase matches more words, wherever it sits in the list', () => {
      const broad: IntentDefinition = { id: 'broad', phrases: { en: ['screen + broken'], ja: [] } };
      const narrow: IntentDefinition = { id: 'narrow', phrases: { en: ['screen + broken + phone'], ja: [] } };

      expect(matchIntent('my phone screen is broken', [broad, narrow])?.id).toBe('narrow');
      expect(matchIntent('my phone screen is broken', [narrow, broad])?.id).toBe('narrow');
    });

    it('lets a general phrase win when nothing specific matches', () => {
      expect(idOf("I can't sign in to Teams")).toBe('cant-sign-in');
      expect(idOf('ログインできない')).toBe('cant-sign-in');
    });

    it('prefers a phrase matched in full over a longer one matched in part', () => {
      const intents: IntentDefinition[] = [
        { id: 'partial', phrases: { en: ['gamma + delta + epsilon + omega'], ja: [] } },
        { id: 'full', phrases: { en: ['alpha + beta'], ja: [] } },
      ];

      expect(matchIntent('alpha beta gamma delta epsilon', intents)?.id).toBe('full');
    });

    it('counts matched words before how rare they are', () => {
      const intents: IntentDefinition[] = [
        { id: 'rare', phrases: { en: ['zeta + theta'], ja: [] } },
        { id: 'common', phrases: { en: ['alpha + beta + gamma'], ja: [] } },
        { id: 'other-1', phrases: { en: ['alpha + beta + gamma + delta + omega'], ja: [] } },
        { id: 'other-2', phrases: { en: ['alpha + beta + gamma + kappa + sigma'], ja: [] } },
      ];

      expect(matchIntent('zeta theta alpha beta gamma', intents)?.id).toBe('common');
    });

    it('prefers keywords only one intent uses over keywords many share', () => {
      const intents: IntentDefinition[] = [
        { id: 'generic', phrases: { en: ['not + signin'], ja: [] } },
        { id: 'other', phrases: { en: ['not + signin + today'], ja: [] } },
        { id: 'specific', phrases: { en: ['lost + phone'], ja: [] } },
      ];

      expect(matchIntent("can't sign in, lost phone", intents)?.id).toBe('specific');
    });
  });

  describe('phrase notation', () => {
    it('needs every word of a multi-word alternative', () => {
      const intents: IntentDefinition[] = [{ id: 'reset', phrases: { en: ['factory reset + phone'], ja: [] } }];

      expect(matchIntent('factory reset phone', intents)?.id).toBe('reset');
      expect(matchIntent('reset phone', intents)).toBeUndefined();
    });

    it('lets a long English phrase miss one group but not two', () => {
      const intents: IntentDefinition[] = [
        { id: 'long', phrases: { en: ['alpha + bravo + charlie + delta'], ja: [] } },
      ];

      expect(matchIntent('alpha bravo charlie', intents)?.score).toBe(0.75);
      expect(matchIntent('alpha bravo', intents)).toBeUndefined();
    });

    it('matches a quoted wording only with its words in that order, filler included', () => {
      const intents: IntentDefinition[] = [
        { id: 'quoted', phrases: { en: ['"you cannot get there from here"'], ja: [] } },
      ];

      expect(matchIntent("It says: You can't get there from here.", intents)?.id).toBe('quoted');
      expect(matchIntent('you cannot get here from there', intents)).toBeUndefined();
      expect(matchIntent('cannot get there', intents)).toBeUndefined();
    });

    it('reads a plain phrase as one group per content word', () => {
      const intents: IntentDefinition[] = [{ id: 'plain', phrases: { en: ['I lost my phone'], ja: [] } }];

      expect(matchIntent('phone lost', intents)?.id).toBe('plain');
      expect(matchIntent('lost', intents)).toBeUndefined();
    });

    it('treats the spellings of "sign in" and of a negation as the same words', () => {
      const intents: IntentDefinition[] = [{ id: 'x', phrases: { en: ['cannot + sign in'], ja: [] } }];

      for (const text of ['cant login', 'can not log on', "couldn't sign-in", 'unable to signin', 'not logging in']) {
        expect(matchIntent(text, intents)?.id, text).toBe('x');
      }
    });
  });

  describe('error codes typed as shown', () => {
    const CODED: readonly IntentDefinition[] = [
      ...INTENTS.map((intent) => (intent.id === 'account-locked' ? { ...intent, codes: [50053] } : intent)),
      { id: 'not-assigned', codes: [50105], phrases: { en: ['not assigned + application|app'], ja: ['割り当て'] } },
      { id: 'session', codes: [50058, 16000], phrases: { en: ['pick + account'], ja: ['アカウントを選択'] } },
    ];
    const codeOf = (text: string) => matchIntent(text, CODED);

    it.each([
      'AADSTS50105',
      'AADSTS 50105',
      'aadsts50105: The signed in user is not assigned to a role for the application.',
      'Error Code: 50105',
      'the screen shows error 50105 whenever I open the portal',
      'it gave me code 50105',
      'エラーコード：５０１０５',
      'エラー 50105 が表示されます',
      '50105 what does this mean',
      '５０１０５というエラーが出ます',
      'got (50105) again',
    ])('reads the code in %j and chooses its intent outright', (text) => {
      expect(codeOf(text)).toEqual({ id: 'not-assigned', score: 1 });
    });

    it('chooses the intent of the code before any phrase, and the first code written when there are several', () => {
      expect(codeOf('I lost my phone and now sign-in says AADSTS50053')?.id).toBe('account-locked');
      expect(codeOf('first AADSTS16000, then after a retry AADSTS50105')?.id).toBe('session');
      expect(codeOf('error 50105, earlier it was error 50053')?.id).toBe('not-assigned');
      expect(codeOf('AADSTS50053 / AADSTS50058')?.id).toBe('account-locked');
    });

    it('skips a code no intent lists and reads on, in the codes and then in the phrases', () => {
      expect(codeOf('error 70043 and then AADSTS50058')?.id).toBe('session');
      expect(codeOf('AADSTS70043, I think I lost my phone')?.id).toBe('lost-phone');
      expect(codeOf('AADSTS70043')).toBeUndefined();
    });

    it("lets a general code (one that only says a step was required) yield to another intent's specific phrase", () => {
      const withGeneral: readonly IntentDefinition[] = [
        ...CODED,
        { id: 'mfa-required', generalCodes: [50076], phrases: { en: ['mfa + required'], ja: ['多要素認証が必要'] } },
      ];
      const idOf = (text: string) => matchIntent(text, withGeneral)?.id;

      expect(idOf('I lost my phone and now sign-in says AADSTS50076')).toBe('lost-phone');
      expect(idOf('スマホをなくしたらAADSTS50076と出た')).toBe('lost-phone');
      expect(matchIntent('AADSTS50076', withGeneral)).toEqual({ id: 'mfa-required', score: 1 });
      expect(idOf("AADSTS50076 and I can't sign in")).toBe('mfa-required');
      expect(idOf('AADSTS50076, mfa is required')).toBe('mfa-required');
      expect(idOf('I lost my phone and now sign-in says AADSTS50053')).toBe('account-locked');
    });

    it.each([
      ['a phone number', 'call me on 91234567'],
      ['a phone number in groups', 'my mobile is +65 9123 4567'],
      ['a phone number whose group is a code', 'reach me at 03 50105 1234'],
      ['a number with a plus', 'my old number was +50105'],
      ['a longer run of digits', 'reference 2150105 from the portal'],
      ['a six-digit run that holds a code', 'the sms said 501050'],
      ['a date', 'since 2024-05-01 or 20240501'],
      ['a decimal', 'it cost 50105.50'],
      ['an amount', 'I was charged $50105'],
      ['a ticket number', 'ticket #50105 is still open'],
      ['a ticket named as such', 'see ticket 50105'],
      ['a reference with letters', 'my case is INC-50105, DX-50105'],
      ['digits inside a word', 'the asset tag is PC50105'],
      ['a leading zero', 'my extension is 050105'],
      ['a telephone number in Japanese', '電話番号は50105です'],
    ])('does not read a code out of %s (%j)', (_kind, text) => {
      expect(codeOf(text)?.id).not.toBe('not-assigned');
    });

    it('never reads one code as a typo of another', () => {
      const intents: IntentDefinition[] = [{ id: 'locked', phrases: { en: ['error 50053|50053'], ja: [] } }];

      expect(matchIntent('error 50053', intents)?.id).toBe('locked');
      expect(matchIntent('error 50054', intents)).toBeUndefined();
    });
  });

  describe('negation in English', () => {
    const polar: readonly IntentDefinition[] = [
      ...INTENTS,
      { id: 'first-time', phrases: { en: ['first time + signin*|setup*'], ja: [] } },
    ];
    const polarIdOf = (text: string) => matchIntent(text, polar)?.id;

    it.each([
      ["I can't get calls or SMS", 'no-code'],
      ['not receiving any sms or codes', 'no-code'],
      ['the code never arrives', 'no-code'],
      ["I've never received the verification code", 'no-code'],
    ])('reads %j as the negation of receiving', (text, expected) => {
      expect(polarIdOf(text)).toBe(expected);
    });

    it.each([
      ['I lost my phone but I can still get texts', 'lost-phone'],
      ["my phone got stolen, though texts and notifications still arrive. Can't get into Outlook", 'lost-phone'],
      ["can't log in; the SMS code comes through fine", 'cant-sign-in'],
      ["I can't sign in because I receive the code too late", 'cant-sign-in'],
    ])('ends the negation at the end of its clause in %j', (text, expected) => {
      expect(polarIdOf(text)).toBe(expected);
    });

    it('does not match a positive wording with what a negation governs', () => {
      expect(polarIdOf('I lost my phone')).toBe('lost-phone');
      expect(polarIdOf("I haven't lost my phone, I switched to a new one")).toBe('new-phone');
      expect(polarIdOf('my account is locked')).toBe('account-locked');
      expect(polarIdOf("my account isn't locked, it is disabled")).toBe('account-disabled');
      expect(polarIdOf('the password has not expired yet but I forgot it')).toBe('forgot-password');
    });

    it('lets a wording marked with * match whether or not it is negated', () => {
      expect(polarIdOf('first time signing in')).toBe('first-time');
      expect(polarIdOf("I can't sign in for the first time")).toBe('first-time');
      expect(polarIdOf("couldn't set up MFA the first time")).toBe('first-time');
    });

    it('reads the group after not as what is negated, and the groups before it as they are', () => {
      const intents: IntentDefinition[] = [
        { id: 'no-match', phrases: { en: ['number + not + match'], ja: [] } },
        { id: 'no-receive', phrases: { en: ['not + receive + code'], ja: [] } },
      ];

      expect(matchIntent("the number doesn't match", intents)?.id).toBe('no-match');
      expect(matchIntent("it doesn't match the number on the screen", intents)?.id).toBe('no-match');
      expect(matchIntent('the number matches but nothing happens', intents)).toBeUndefined();
      expect(matchIntent('I do not receive the code', intents)?.id).toBe('no-receive');
      expect(matchIntent("the code, I don't receive it", intents)?.id).toBe('no-receive');
      expect(matchIntent("I can't sign in and I receive the code", intents)).toBeUndefined();
    });

    it('reads the words after not inside one alternative as negated', () => {
      const intents: IntentDefinition[] = [{ id: 'broken', phrases: { en: ['authenticator + not working'], ja: [] } }];

      expect(matchIntent('authenticator is not working', intents)?.id).toBe('broken');
      expect(matchIntent("authenticator won't open, email is working", intents)).toBeUndefined();
    });

    it('reads a quoted wording whole: positive outside a negation, negated after not', () => {
      const positive: IntentDefinition[] = [
        { id: 'at-hand', phrases: { en: ['"old phone" + "at hand"|"with me"'], ja: [] } },
      ];
      const negated: IntentDefinition[] = [
        { id: 'away', phrases: { en: ['"old phone" + not + "at hand"|"with me"'], ja: [] } },
      ];

      expect(matchIntent('my old phone is at hand', positive)?.id).toBe('at-hand');
      expect(matchIntent('my old phone is not at hand', positive)).toBeUndefined();
      expect(matchIntent("the old phone isn't with me", negated)?.id).toBe('away');
      expect(matchIntent('the old phone is with me', negated)).toBeUndefined();
    });

    it('keeps the verb of a negative contraction, so a quoted wording tells "wasn\'t" from "can\'t"', () => {
      const intents: IntentDefinition[] = [
        { id: 'not-me', phrases: { en: ['request + "was not me"|"was not signing in"'], ja: [] } },
      ];

      expect(matchIntent("got a request, that wasn't me", intents)?.id).toBe('not-me');
      expect(matchIntent("a request came, I wasn't signing in", intents)?.id).toBe('not-me');
      expect(matchIntent("I can't sign in, the request never comes", intents)).toBeUndefined();
    });
  });

  describe('negation in Japanese', () => {
    it.each([
      ['SMSが受け取れません', 'no-code'],
      ['SMSを受け取れなかった', 'no-code'],
      ['SMSを受け取れていません', 'no-code'],
      ['確認コードが届いていない', 'no-code'],
      ['コードが届きませんでした', 'no-code'],
      ['コードがとどかなくて困っています', 'no-code'],
    ])('reads %j, a negative wording in another negative form, as negative', (text, expected) => {
      expect(idOf(text)).toBe(expected);
    });

    it.each(['SMSは受け取れます', 'SMSは問題なく受け取れています', 'コードは届いています'])(
      'does not read %j, a positive statement, as its negative',
      (text) => {
        expect(idOf(text)).not.toBe('no-code');
      },
    );

    it('keeps the person’s positive statement from counting against the intent they describe', () => {
      expect(idOf('スマホをなくしたけど、SMSは受け取れます')).toBe('lost-phone');
    });

    it('does not match a verb wording where its ending continues into a negation', () => {
      const intents: IntentDefinition[] = [{ id: 'got-it', phrases: { en: [], ja: ['tap + 受け取っ|受け取れ|届い'] } }];

      expect(matchIntent('TAPを受け取りました', intents)).toBeUndefined();
      expect(matchIntent('TAPを受け取った', intents)?.id).toBe('got-it');
      expect(matchIntent('TAPは届いています', intents)?.id).toBe('got-it');
      expect(matchIntent('TAPを受け取れない', intents)).toBeUndefined();
      expect(matchIntent('TAPがまだ届いていません', intents)).toBeUndefined();
      expect(idOf('スマホをなくしていません')).toBeUndefined();
      expect(idOf('アカウントはロックされていません')).toBeUndefined();
    });

    it('reads a noun as negated only by a する form after it', () => {
      expect(idOf('スマートフォンを紛失しました')).toBe('lost-phone');
      expect(idOf('スマートフォンは紛失していない')).toBeUndefined();
      expect(idOf('ログインできない')).toBe('cant-sign-in');
      expect(idOf('携帯なくした')).toBe('lost-phone');
      expect(idOf('スマホなくなった')).toBe('lost-phone');
    });

    it('matches a negative wording in its polite forms', () => {
      const intents: IntentDefinition[] = [
        { id: 'mismatch', phrases: { en: [], ja: ['番号 + 合わない'] } },
        { id: 'rejected', phrases: { en: [], ja: ['パスワード + 正しくない|通らない|わからない'] } },
      ];

      expect(matchIntent('番号が合いません', intents)?.id).toBe('mismatch');
      expect(matchIntent('パスワードが正しくありません', intents)?.id).toBe('rejected');
      expect(matchIntent('パスワードが通りません', intents)?.id).toBe('rejected');
      expect(matchIntent('パスワードが分かりません', intents)?.id).toBe('rejected');
      expect(matchIntent('番号は合っています', intents)).toBeUndefined();
    });

    it('lets a wording marked with * match whether or not it is negated', () => {
      const intents: IntentDefinition[] = [{ id: 'abroad', phrases: { en: [], ja: ['海外 + 使え*'] } }];

      expect(matchIntent('海外でも使えますか', intents)?.id).toBe('abroad');
      expect(matchIntent('海外だと使えない', intents)?.id).toBe('abroad');
    });
  });

  it('gives the same answer every time and for an equal copy of the list', () => {
    const copy = structuredClone(INTENTS) as IntentDefinition[];
    const texts = ['lost my phone', 'サインインできない', 'asdf', 'number dosent match'];

    for (const text of texts) {
      const first = matchIntent(text, INTENTS);
      expect(matchIntent(text, INTENTS)).toEqual(first);
      expect(matchIntent(text, copy)).toEqual(first);
    }
  });

  it('never throws and answers nothing or a known intent with a score in 0..1, for random text', () => {
    const alphabet = [...'abcdefghijklmnopqrstuvwxyz ABC XYZ 0123456789 .,!?\'"-+|'].concat([
      ...'あいうえおかきくけこさしすせそなにぬねのアイウエオカキクケコスマホ携帯紛失機種変更削除番号一致ー、。「」',
      ...'ＡＢＣ１２３！？',
      '😀',
      '👍🏽',
      '\u200d',
      '\ufe0f',
      '\ud800',
      '\u0000',
      'phone ',
      'lost ',
      'not ',
      'sign in ',
      'できない',
    ]);
    const text = fc.array(fc.constantFrom(...alphabet), { maxLength: 60 }).map((parts) => parts.join(''));

    fc.assert(
      fc.property(fc.oneof(text, fc.string({ unit: 'binary', maxLength: 80 })), (input) => {
        const result = matchIntent(input, INTENTS);
        if (result === undefined) return;
        expect(ids.has(result.id)).toBe(true);
        expect(result.score).toBeGreaterThanOrEqual(0);
        expect(result.score).toBeLessThanOrEqual(1);
      }),
      { seed: 20240601, numRuns: 500 },
    );
  });
});

describe('reading one message after another', () => {
  // The matcher keeps what it read of a message in memory shared by all messages of a list; nothing of one may count
  // for the next, including a message read again without some of its clauses (a clause that says a thing is fine).
  const forgotPassword: IntentDefinition = {
    id: 'forgot-password',
    phrases: { en: ['forgot|forget + password'], ja: ['パスワード + 忘れ'] },
  };
  const forgotPin: IntentDefinition = {
    id: 'forgot-pin',
    phrases: { en: ['forgot|forget + pin'], ja: ['pin + 忘れ'] },
  };
  const list = [...INTENTS, forgotPassword, forgotPin];
  const texts = [
    'lost my phone',
    'I forgot my PIN, I do remember my password though',
    'hello',
    'got a new phone, the old one works',
    'my password',
    'スマホをなくした',
    'forgot my password',
    'the old phone',
  ];

  it('gives each message what it gives read alone, in any order', () => {
    const alone = texts.map((text) => readMessage(text, [...list]));
    const inTurn = texts.map((text) => readMessage(text, list));
    const backwards = [...texts].reverse().map((text) => readMessage(text, list));
    expect(inTurn).toEqual(alone);
    expect(backwards.reverse()).toEqual(alone);
    // Not all alike, or the comparison above would prove nothing.
    expect(new Set(alone.map((read) => read.intent?.id)).size).toBeGreaterThan(3);
  });
});

describe('signals: what a message says besides its complaint', () => {
  const signals = [
    {
      id: 'sms-works',
      phrases: {
        en: ['sms|text + works|arrives + fine|normally + "as usual"|"like before"|always'],
        ja: ['sms + 受け取れ'],
      },
    },
    { id: 'old-phone-kept', phrases: { en: ['old + phone|one'], ja: ['古い + スマホ + ある'] } },
  ];

  it('are read beside the intent, several at once, in both languages', () => {
    expect(readMessage('got a new phone, sms works fine as usual and the old phone too', INTENTS, signals)).toEqual({
      intent: { id: 'new-phone', score: 1 },
      said: ['sms-works', 'old-phone-kept'],
    });
    expect(readMessage('新しいスマホにした。SMSは受け取れます', INTENTS, signals).said).toEqual(['sms-works']);
  });

  it('need every group, in English too, where an intent forgives one missing of four', () => {
    expect(readMessage('got a new phone and sms works fine', INTENTS, signals).said).toEqual([]);
  });

  it('keep their polarity', () => {
    expect(readMessage('新しいスマホにした。SMSは受け取れない', INTENTS, signals).said).toEqual([]);
  });

  it('are not read without an intent, and change nothing of the intent chosen', () => {
    expect(readMessage('the old phone', INTENTS, signals)).toEqual({ intent: undefined, said: [] });
    for (const text of ['got a new phone, the old one works', 'lost my phone', 'スマホをなくした']) {
      expect(readMessage(text, INTENTS, signals).intent).toEqual(matchIntent(text, INTENTS));
    }
  });
});

describe('a negation that says the person is unsure', () => {
  const backups = [{ id: 'no-backup', phrases: { en: ['not + backup + phone'], ja: ['予備 + ない'] } }];

  it.each([
    ['lost my phone and I have no backup', 'no-backup'],
    ['phone gone, never set up a backup', 'no-backup'],
  ])('still negates what follows an ordinary negation: %j', (text, id) => {
    expect(matchIntent(text, backups)?.id).toBe(id);
  });

  it.each([
    'lost my phone, no idea about backups',
    "lost my phone and I can't remember if I have a backup",
    'phone lost, not sure whether there is a backup',
    "lost the phone, I don't know about a backup",
  ])('ends at "idea", "remember", "sure", "know": %j negates nothing after it', (text) => {
    expect(matchIntent(text, backups)).toBeUndefined();
  });

  it('still reads "I don\'t know my password" as not knowing the password', () => {
    const forgot = [{ id: 'forgot', phrases: { en: ['not + know|remember + password'], ja: ['パスワード + 忘れ'] } }];
    expect(matchIntent("I don't know my password", forgot)?.id).toBe('forgot');
  });
});

describe('a negation over a list of things the person has none of', () => {
  const otherMethod: IntentDefinition = {
    id: 'other-method',
    phrases: {
      en: ['lost + phone + "security key"|sms|call|tablet'],
      ja: ['sms|電話|セキュリティキー + 使え|受け取れ'],
    },
  };
  const noBackup: IntentDefinition = { id: 'no-backup', phrases: { en: ['not + setup|register + sms|call'], ja: [] } };
  const wogAccount: IntentDefinition = { id: 'wog-account', phrases: { en: ['wog + account'], ja: [] } };

  it('reads a thing named without a negation as there', () => {
    expect(matchIntent('I lost my phone, I have a security key', [otherMethod])?.id).toBe('other-method');
    expect(matchIntent('lost my phone but sms works', [otherMethod])?.id).toBe('other-method');
  });

  it.each([
    "I lost my phone and I don't have a security key",
    'lost my phone. I never set up SMS or a call or anything else',
    'lost phone, no sms or call',
    "lost my phone, haven't registered a tablet or a security key",
  ])('does not read a thing after "no" or a negated verb of having, list included, as there: %j', (text) => {
    expect(matchIntent(text, [otherMethod])).toBeUndefined();
  });

  it('still gives those things to a phrase that says the negation itself', () => {
    expect(matchIntent('I never set up SMS or a call', [noBackup])?.id).toBe('no-backup');
    expect(matchIntent("I haven't registered sms", [noBackup])?.id).toBe('no-backup');
  });

  it('ends the list where a preposition says for what the thing is missing', () => {
    expect(matchIntent("I don't have authenticator for my WOG account", [wogAccount])?.id).toBe('wog-account');
  });

  it('reads 「XもYも…ない」 as none of them working, in Japanese', () => {
    expect(matchIntent('スマホをなくした。SMSも電話も使えない', [otherMethod])).toBeUndefined();
    expect(matchIntent('SMSもセキュリティキーも受け取れないし使えない', [otherMethod])).toBeUndefined();
    expect(matchIntent('スマホをなくした。SMSは使える', [otherMethod])?.id).toBe('other-method');
  });
});

describe('a clause that says a thing is fine', () => {
  const forgotPassword: IntentDefinition = {
    id: 'forgot-password',
    phrases: { en: ['forgot|forget + password', 'not + remember + password'], ja: ['パスワード + 忘れ'] },
  };
  const forgotPin: IntentDefinition = {
    id: 'forgot-pin',
    phrases: { en: ['forgot|forget + pin'], ja: ['pin + 忘れ'] },
  };
  const passwordRejected: IntentDefinition = {
    id: 'password-rejected',
    phrases: { en: [], ja: ['パスワード + 弾かれ'] },
  };
  const mfaRejected: IntentDefinition = { id: 'mfa-rejected', phrases: { en: [], ja: ['認証 + 弾かれ'] } };
  const both = [forgotPassword, forgotPin];

  it.each([
    'I forgot my Windows Hello PIN, I do remember my password though',
    'forgot my windows hello pin on the laptop. password i still know',
    'I forgot my PIN and I know my password',
    'forgot the pin, the password works',
  ])('keeps the contrary reading from taking its thing out of that clause: %j', (text) => {
    expect(matchIntent(text, [forgotPassword])).toBeUndefined();
    expect(matchIntent(text, both)?.id).toBe('forgot-pin');
  });

  it('still reads the contrary where it is said of the thing', () => {
    expect(matchIntent('I know my PIN but I forgot my password', both)?.id).toBe('forgot-password');
    expect(matchIntent('I know I forgot my password', both)?.id).toBe('forgot-password');
    expect(matchIntent("I don't remember my password, the PIN works", both)?.id).toBe('forgot-password');
  });

  it('does not take a clause that says the thing is not fine for one that says it is', () => {
    expect(matchIntent("forgot the pin, and I can't remember my password either", [forgotPassword])?.id).toBe(
      'forgot-password',
    );
  });

  it('reads Japanese clauses the same way, のに and けど included', () => {
    expect(matchIntent('PINを忘れました。パスワードは覚えています', [forgotPassword])).toBeUndefined();
    expect(matchIntent('PINを忘れたけど、パスワードは覚えてる', both)?.id).toBe('forgot-pin');
    expect(matchIntent('パスワードを忘れました', both)?.id).toBe('forgot-password');
    expect(matchIntent('パスワードは覚えていない、忘れた', both)?.id).toBe('forgot-password');
  });

  it('reads 「パスワードは通るのに…弾かれる」 as the next step rejecting, not the password', () => {
    const rejected = [passwordRejected, mfaRejected];

    expect(matchIntent('パスワードは通るのに次の認証で弾かれる', [passwordRejected])).toBeUndefined();
    expect(matchIntent('パスワードまでは通るのに、その後の認証でいつも弾かれます', rejected)?.id).toBe('mfa-rejected');
    expect(matchIntent('パスワードが弾かれる', rejected)?.id).toBe('password-rejected');
    expect(matchIntent('パスワードが通らなくて弾かれる', rejected)?.id).toBe('password-rejected');
  });
});

describe('"caps lock"', () => {
  const intents: IntentDefinition[] = [
    { id: 'locked', phrases: { en: ['account + locked|lock'], ja: [] } },
    { id: 'wrong-password', phrases: { en: ['wrong|incorrect + password'], ja: [] } },
  ];

  it('is the key, never a locked account', () => {
    expect(matchIntent('account or password is incorrect, and caps lock is off', intents)?.id).toBe('wrong-password');
    expect(matchIntent('my account is locked, capslock has nothing to do with it', intents)?.id).toBe('locked');
    expect(matchIntent('my account has a lock on it', intents)?.id).toBe('locked');
  });
});
