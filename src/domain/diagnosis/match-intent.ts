/**
 * One thing a person can mean, with example phrases per language.
 *
 * Phrase notation. A phrase is a list of keyword groups joined by `+`; a group lists alternatives separated by `|`.
 * A phrase matches as far as its groups appear in the message, in any order; a group appears when any one of its
 * alternatives does.
 * - `lost|stolen|misplaced + phone|mobile`: "my phone was stolen" and "I lost my mobile" both match fully.
 * - `スマホ|スマートフォン|携帯 + なくし|紛失`: 「携帯をなくした」 and 「スマートフォンを紛失しました」 both match.
 *
 * An alternative in double quotes is a verbatim English wording: its words, filler included, must appear in that
 * order (`"you cant get there from here"`); error messages are best matched this way. A negative contraction is its
 * verb and `not` there, so `"was not me"` matches "it wasn't me" and `"am not signing in"` never matches "can't sign in".
 *
 * A phrase without `+` or `|` is plain text: each English word (filler removed) and each run of Japanese becomes its
 * own group, so `lost my phone` means `lost + phone`.
 *
 * An alternative made of Latin letters and digits is matched word by word: every word must appear, with light
 * stemming (deleted = delete = deleting), a typo allowance (1 edit for words of 4–7 letters, 2 from 8 letters; never
 * for words with digits) and filler words ignored (`i`, `my`, `the`, `help`, `hello`…; a group of only filler words
 * is dropped; the knowledge check refuses an alternative of several words that would lose one, such as `timed out`,
 * which is written `"timed out"`). Negations (`not`, `no`, `never`, `can't`, `cannot`, `doesn't`, `unable`…) are all
 * the word `not`; `log in`, `login`, `sign in`, `log on` are all the word `signin`. Any other alternative (Japanese) must appear as a
 * substring, compared after NFKC, katakana to hiragana, and a few spellings of the same word made equal (出来/でき,
 * 無く/なく, 消し/けし, 携帯/ケータイ, 切れ/きれ, 届/とど, 〜ません/〜ない); synonyms such as 削除/消した or
 * 機種変/買い替え are alternatives to list. Alternatives of either kind may appear in either language's phrases, which
 * lets a mixed message ("スマホ lost") match.
 *
 * Polarity. Negation is read as negation, so "can receive" never stands for "cannot receive" nor the reverse.
 * - English: a negation covers the words after it up to the end of its clause (`,` `.` `;` `but` `and` `though`
 *   `because` …; `or` continues it): in "I can't get texts or calls, but email works" it covers texts and calls, not
 *   email. A negated word of doubt (`idea`, `sure`, `know`, `remember`, `check`…) ends it there: "no idea about
 *   backups" says nothing is missing. The group right after a `not` group (or the words after `not` inside an
 *   alternative) names what is negated and matches only words a negation covers: `not + receive + code` matches
 *   "I never receive a code" but not "can't sign in, I receive the code". Any other alternative is positive and is not matched by the word a
 *   negation governs, the first one after it (articles and `be`, `even`, `yet`, `able to` skipped): `lost + phone`
 *   does not match "I haven't lost my phone". In a phrase without a `not` of its own, neither is it matched by the
 *   things a negation denies: those listed after "no" or a negated verb of having or setting up, `or` lists included,
 *   up to a preposition ("no sms or call", "I never set up SMS or a call", "don't have a security key for my account"). Groups before `not` (`number + not + match`) are positive. A quoted
 *   wording is read whole, up to a `not` of its own: as a positive alternative none of its words may be under a
 *   negation ("the old one is not with me" has no `"with me"`), after a `not` group all of them must be.
 * - Japanese: an alternative ending in a negation (〜ない, 〜なく, 〜ず, 〜ません; 受け取れない, できず) matches that
 *   wording with any negative ending, plain or polite (受け取れなかった, できなくて, 表示されていない; 届かない also
 *   matches 届きませんでした, 正しくない 正しくありません). Any other alternative is positive and does not match
 *   where a negation follows it: one ending in kana (a verb or adjective: 受け取れ, なくし, 届い, ロックされ) not when
 *   its ending continues into one (受け取れない, なくしていない, 届いていない); one ending in kanji, katakana or Latin
 *   (a noun: 紛失, スマホ, ログイン) only when a する form or a copula follows it negated (紛失していない,
 *   ログインしていない, ロックされていない, ロックではなく), so that ログイン + できない and スマホ + なくし still read as
 *   written. Write a verb with its
 *   kana ending (届い, 来た, 受け取っ), not as a bare kanji stem.
 * - Either polarity: an alternative ending in `*` matches whether or not it is negated (`enter*|type*`,
 *   `受け取れ*` matches 受け取れる and 受け取れない alike); use it for the thing a phrase is about whatever is said of
 *   it, never for the part that decides the meaning.
 *
 * Contraries. A phrase reading a contrary (`forgot`, 弾かれ) is read without the clauses that say its thing is fine
 * ("I do remember my password", 「パスワードは通るのに」): see CONTRARIES.
 *
 * `en` phrases of four or more groups tolerate one missing group; `ja` phrases need every group, because a
 * substring is weaker evidence than a whole word.
 *
 * A phrase starting with `~` is general (`~cannot + sign in`, `~ログイン|サインイン + できない`): it only wins when no
 * other phrase matches, so "I can't sign in because I lost my phone" goes to the intent about the phone. Otherwise a
 * phrase matched in full beats one matched in part, then more words matched win (a quoted wording counts its words
 * other than filler: "need to set up" weighs as "set up"), then keywords fewer intents share, then the intent listed
 * first.
 *
 * Error codes. `codes` lists the Microsoft Entra sign-in error codes (AADSTS numbers) that mean this intent. A code
 * in the message chooses its intent outright (score 1), before any phrase is read, when it is written as shown
 * (`AADSTS50105`, `AADSTS 50105`), after "error", "code" or エラー/コード (`Error Code: 50105`, `error 50105`,
 * `エラーコード：５０１０５`), or alone as a number of 5 or 6 digits ("50105 what does this mean"). A number is never
 * read out of a longer run of digits or digit groups (phone numbers, dates) or a reference (`#50105`, `INC-50105`);
 * when several codes appear, the first one written wins. A code belongs to one intent only.
 *
 * `generalCodes` lists codes that say only that a step was required, not what went wrong (50074, 50076: "strong
 * authentication is required", shown after a denied, missed or never-received request alike). Read the same way, such
 * a code chooses its intent as a `~` phrase would: only when no other intent's specific phrase matches, so that
 * "I hit Deny by mistake, now AADSTS50076" goes to the denial its words describe.
 */
export interface IntentDefinition {
  id: string;
  /** Entra sign-in error codes (e.g. 50105 for AADSTS50105) that choose this intent outright; positive integers. */
  codes?: readonly number[];
  /** Codes that only say a step was required (e.g. 50076): this intent unless another's specific phrase matches. */
  generalCodes?: readonly number[];
  phrases: { en: readonly string[]; ja: readonly string[] };
}

/** An intent chosen for a message, with how well its best phrase matched (0..1, 1 being every keyword verbatim). */
export interface IntentMatch {
  id: string;
  score: number /* 0..1, higher is better */;
}

/** Below this, a message is too far from every phrase to be worth a guess; the bot then asks instead. */
const MIN_SCORE = 0.75;
/** A typo counts a little less than the word itself, so an exact reading wins over a corrected one. */
const TYPO_CREDIT = 0.85;

const STOP_WORDS = new Set(
  (
    'a an the i me my mine myself we us our you your it its this that these those he she they them his her their ' +
    'is am are was were be been being do does did doing have has had having will would shall should can could may ' +
    'might must to of in on at by for with from into onto about as up out off over than then so and or but because ' +
    'since if when while just also very really too again now today yesterday tonight morning still already ever ' +
    'some any all there here what which who whom whose where why how hi hello hey dear please pls plz thanks thank ' +
    'thx ty help ok okay yes yeah um hmm think thought guess seem seems seemed get gets got gotten getting want ' +
    'wanted wants need needs needed try tried tries trying keep kept something anything someone anyone one'
  ).split(' '),
);

/**
 * Apostrophe-less contractions and their common misspellings. A negation becomes `not` after its verb, a filler word
 * (wasnt: was not), so that a quoted wording can tell "I wasn't signing in" from "I can't sign in".
 */
const CONTRACTIONS = new Map<string, readonly string[]>([
  ...Object.entries({
    can: 'cant cannot cnt',
    could: 'couldnt',
    will: 'wont',
    would: 'wouldnt',
    do: 'dont',
    does: 'doesnt dosent dosnt doesent doesn',
    did: 'didnt didint dint',
    is: 'isnt',
    are: 'arent',
    was: 'wasnt',
    were: 'werent',
    have: 'havent',
    has: 'hasnt',
    had: 'hadnt',
    should: 'shouldnt',
  }).flatMap(([verb, spellings]) =>
    spellings.split(' ').map((word): [string, readonly string[]] => [word, [verb, 'not']]),
  ),
  ...'aint no never unable'.split(' ').map((word): [string, readonly string[]] => [word, ['not']]),
  ['dunno', ['do', 'not', 'know']],
  ['im', ['i', 'am']],
  ['ive', ['i', 'have']],
  ['ill', ['i', 'will']],
  ['youre', ['you', 'are']],
  ['whats', ['what', 'is']],
  ['thats', ['that', 'is']],
  ['theres', ['there', 'is']],
  ['hows', ['how', 'is']],
  ['wheres', ['where', 'is']],
  ['lets', ['let', 'us']],
]);

/** Spellings of "sign in" that are one word, and the verbs that become it when followed by in/on/into. */
const SIGN_IN_WORDS = new Set('login logins logon logons signin signins signon loggin loggedin signedin'.split(' '));
const SIGN_IN_VERBS = new Set('log logs logged logging loging sign signs signed signing sing'.split(' '));
const SIGN_IN_PARTICLES = new Set(['in', 'ins', 'on', 'into', 'onto']);
const SIGN_UP_VERBS = new Set(['sign', 'signs', 'signed', 'signing']);
const SET_UP_VERBS = new Set(['set', 'sets', 'setting']);
/** Keys named "… lock", joined into one word ("caps lock": capslock), as "capslock" is often written. */
const KEYBOARD_LOCKS = new Set(['caps', 'cap', 'num', 'scroll']);

const IRREGULAR = new Map<string, string>([
  ['lost', 'lose'],
  ['losing', 'lose'],
  ['stolen', 'steal'],
  ['stole', 'steal'],
  ['forgot', 'forget'],
  ['forgotten', 'forget'],
  ['broke', 'break'],
  ['broken', 'break'],
  ['bought', 'buy'],
  ['sent', 'send'],
  ['gave', 'give'],
  ['given', 'give'],
  ['made', 'make'],
  ['went', 'go'],
  // "gone" stays itself: "the app is gone" says something is missing, which "go in" and "go to" never do.
  ['took', 'take'],
  ['taken', 'take'],
  ['came', 'come'],
  ['said', 'say'],
  ['saw', 'see'],
  ['seen', 'see'],
  ['fell', 'fall'],
  ['threw', 'throw'],
  ['used', 'use'],
  ['using', 'use'],
  ['expiry', 'expire'],
  ['expiration', 'expire'],
  ['deletion', 'delete'],
  ['invitation', 'invite'],
  ['invitations', 'invite'],
]);

/**
 * Everyday words one edit away from a keyword ("last"/"lost", "come"/"code"): someone who typed them meant them,
 * so they are never read as typos.
 */
const NOT_TYPOS = new Set(
  (
    'last list most post like look looked looking luck lack lick love live line come cold core cope mode node ' +
    'test tests text next word worm wife wide wise black march watch catch batch locker lockers'
  ).split(' '),
);

/** Same Japanese word, different spelling; applied after katakana became hiragana. */
const JAPANESE_SPELLINGS: readonly (readonly [string, string])[] = [
  ['出来', 'でき'],
  ['無く', 'なく'],
  ['失く', 'なく'],
  ['無い', 'ない'],
  ['消し', 'けし'],
  ['消え', 'きえ'],
  ['携帯', 'けいたい'],
  ['けーたい', 'けいたい'],
  ['切れ', 'きれ'],
  ['届', 'とど'],
  ['分か', 'わか'],
  ['下さい', 'ください'],
  ['ません', 'ない'],
];

/** Punctuation that ends a clause, and with it the reach of a negation. */
const CLAUSE_BREAK = /[,.;:!?…、。()[\]{}"“”「」『』\n\r]+|\s[-‐‑]+\s|[–—]+/u;
/** Words that end a clause as punctuation does ("I can't sign in but texts arrive"); `or` and `nor` do not. */
const CLAUSE_WORDS = new Set(
  (
    'but and though although however because cause since so while whereas unless except then when whenever after ' +
    'before until till if'
  ).split(' '),
);
/** Words between a negation and what it negates: "not even", "haven't been able to", "no longer". */
const NEGATION_SKIPS = new Set(
  (
    'a an the my your our their his her its any even really ever yet always actually quite be been being able to ' +
    'longer'
  ).split(' '),
);

/**
 * Verbs of having and setting up (stems): negated, they deny every thing listed after them in the clause, `or` lists
 * included ("I never set up SMS or a call", "don't have a security key or a backup phone").
 */
const HAVING = new Set('have own carry setup register add enrol enroll configure'.split(' ').map(stem));
/** Prepositions that end the list of things denied: what follows says where or for what they are missing. */
const OWNER_LEADS = new Set('for on in at with from by via through'.split(' '));
const ARTICLES = new Set('a an the my your our their his her its this that'.split(' '));

/**
 * Words that, negated, say the person is unsure rather than that what follows is absent: "no idea about backups",
 * "can't remember which methods I have", "not sure what else I registered". The negation ends with them.
 */
const UNSURE = new Set('idea clue sure certain know knew remember recall check tell'.split(' '));

/** A negation at this point of Japanese text (〜ません was made 〜ない); なくし, なくす (to lose) is not one. */
const JA_NEGATION = 'ない|なかっ|なく(?![しすさせそ])|なけれ|ず|ぬ';
/** How a negative alternative ends: 受け取れない, できず, 使用できなく. */
const JA_NEGATIVE_ENDING = /(?:ない|なかった|なかっ|なく|ず|ぬ)$/u;
/**
 * What may follow the stem of a negative alternative: its negation, directly, after 〜てい (表示されていない) or after
 * the あり of a polite negation (正しくありません, 対象ではありません).
 */
const JA_NEGATED_STEM = new RegExp(`^(?:[てで]い?|あり)?(?:${JA_NEGATION})`, 'u');
/** A verb's 〜ない stem and its 〜ません stem: 届か/届き, 通ら/通り, 合わ/合い. */
const JA_POLITE_STEM = new Map(
  Object.entries({ か: 'き', が: 'ぎ', さ: 'し', た: 'ち', な: 'に', ば: 'び', ま: 'み', ら: 'り', わ: 'い' }),
);
/** A verb or adjective negated: its ending may run on (受け取れない, なくしていない), but not past a particle. */
const JA_NEGATED_VERB = new RegExp(`^(?:(?![がをはにのへもやと])[ぁ-ゖ]{1,4}?)?(?:${JA_NEGATION})`, 'u');
/**
 * A noun is negated by a する form (紛失していない, ロックされていない) or a copula (ロックではなく, ロックじゃない,
 * 対象ではありません); ログインできない is about signing in.
 */
const JA_NEGATED_NOUN = new RegExp(`^(?:[しさせ][ぁ-ゖ]{0,3}?|(?:で|じゃ)[はも]?(?:あり)?)(?:${JA_NEGATION})`, 'u');
/** How a verb or adjective written with its ending ends, unlike a noun (紛失, スマホ). */
const KANA_ENDING = /\p{Script=Hiragana}$/u;

/** What may introduce an error code: AADSTS, "error", "code", エラー, コード, with "code:", "no.", "#" and the like. */
const CODE_LEAD =
  /(?:(?<![a-z])(?:aadsts|errors?|err|codes?)|エラー|コード)(?:\s*(?:codes?|no|number|num|番号|コード))?\s*[:#=.-]?\s*(?:aadsts\s*)?$/u;
/** Words after which a number is a reference, not an error code: "ticket 50105", "電話番号 50105". */
const REFERENCE_LEAD =
  /(?:(?<![a-z])(?:ticket|case|ref|reference|incident|inc|request|req|order|tel|phone|mobile|fax|ext|extension|room|id|sih|dx)|電話|番号|チケット)[はがの]?\s*[:#=.-]?\s*$/u;
/** Next to a bare number, these make it part of something else: a word, an amount, a phone number, a reference. */
const NOT_BESIDE_CODE = /[\p{Script=Latin}0-9+#$¥￥€£@%/\\_]/u;
const DIGIT_GROUP_SEPARATOR = /[-‐‑./,: ]/u;

const LATIN_WORD = /[\p{Script=Latin}0-9]+/gu;
const ONLY_LATIN = /^[\p{Script=Latin}0-9 ]*$/u;
const NON_LATIN_RUN = /[^\p{Script=Latin}0-9 ]+/gu;
const QUOTED = /^\s*["“＂].*["”＂]\s*$/u;

/**
 * Pairs of contrary readings. A clause that says a thing is fine ("I do remember my password", "password i still
 * know", 「パスワードは通るのに」) is no place for the contrary reading to find its thing: a phrase that reads the contrary
 * (a `forgot` or a 弾かれ among its words) is read without such clauses, so "I forgot my PIN, I do remember my
 * password" is about the PIN. A clause that says both ("I know I forgot it") says nothing is fine.
 * `keep` and `contrary` are English words as written, not stems ("works" keeps, "work laptop" does not; a kept word
 * must not be negated) and Japanese wordings (a kept one not followed by a negation); a phrase reads the contrary when
 * it has a contrary word, or `not` and then a kept word ("not remember").
 */
const CONTRARIES: readonly { keep: readonly string[]; contrary: readonly string[]; compactKeep: readonly string[] }[] =
  [
    {
      keep: [
        'remember',
        'remembered',
        'recall',
        'know',
        'knew',
        'known',
        'works',
        'worked',
        '覚えて',
        '覚えと',
        '分かって',
        '知って',
      ],
      contrary: ['forget', 'forgot', 'forgotten', 'forgetting', '忘れ', '思い出せ'],
    },
    {
      keep: ['accepted', 'accepts', '通る', '通っ', '通り', '受け付けられ'],
      contrary: [
        'reject',
        'rejected',
        'rejects',
        'bounced',
        '弾かれ',
        'はじかれ',
        '受け付けない',
        '受け付けてくれない',
        '通らない',
      ],
    },
  ].map(({ keep, contrary }) => ({
    keep: keep.map(normalise),
    contrary: contrary.map(normalise),
    // As they appear in a message with its spaces taken out, for withoutKeepingClauses's first look.
    compactKeep: keep.map((word) => normalise(word).replaceAll(' ', '')),
  }));
/** Where a clause ends besides punctuation, in either language, for CONTRARIES. */
const CLAUSE_JOINT = new RegExp(
  String.raw`(?<!\p{Script=Latin})(?:${[...CLAUSE_WORDS].join('|')})(?!\p{Script=Latin})|のに|けど|けれど|ものの|ですが|だが`,
  'iu',
);

function katakanaToHiragana(text: string): string {
  return text.replace(/[\u30a1-\u30f6]/g, (char) => String.fromCharCode(char.charCodeAt(0) - 0x60));
}

/** NFKC, lower case, one kana, one spelling, apostrophes dropped, everything that is not a letter or digit a space. */
function normalise(text: string): string {
  let result = katakanaToHiragana(text.normalize('NFKC').toLowerCase())
    .replace(/['’‘`ʼ]/g, '')
    // "sign-in", "log-in", "e-mail" are written as one word as often as two.
    .replace(/(?<=\p{Script=Latin})[-‐‑](?=\p{Script=Latin})/gu, '');
  for (const [variant, canonical] of JAPANESE_SPELLINGS) result = result.replaceAll(variant, canonical);
  return result.replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

function stem(word: string): string {
  let w = IRREGULAR.get(word) ?? word;
  if (w.length <= 3) return w;
  if (w.endsWith('ies') || w.endsWith('ied')) w = `${w.slice(0, -3)}y`;
  else if (w.endsWith('sses')) w = w.slice(0, -2);
  else if (w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us') && !w.endsWith('is')) w = w.slice(0, -1);
  if (w.endsWith('ing') && w.length >= 6) w = undouble(w.slice(0, -3));
  else if (w.endsWith('ed') && w.length >= 5) w = undouble(w.slice(0, -2));
  // Dropping a final e makes "delete" and "deleting" meet at "delet".
  if (w.endsWith('e') && w.length > 3) w = w.slice(0, -1);
  return w;
}

function undouble(word: string): string {
  const last = word.at(-1);
  return last !== undefined && last === word.at(-2) && !'lsz'.includes(last) && /[b-df-hj-np-tv-z]/.test(last)
    ? word.slice(0, -1)
    : word;
}

interface Word {
  surface: string;
  stem: string;
  filler: boolean;
  /** In a message: the word follows a negation in its clause ("can't get texts or calls": texts, calls). */
  covered?: boolean;
  /** In a message: the word a negation negates, the first after it ("haven't lost": lost). */
  governed?: boolean;
  /**
   * In a message: the word is in what a negation says the person has none of, the rest of its clause after "no" or
   * after a negated verb of having ("no app or sms", "never set up SMS or a call", "don't have a security key").
   */
  denied?: boolean;
  /** The `not` written as "no", which denies the things listed after it. */
  determiner?: boolean;
}

/**
 * Which occurrences of a word an alternative accepts: any; only those no negation governs; only those a negation
 * covers (the words after `not` in a phrase); only those no negation governs or denies (a positive alternative of a
 * phrase without a `not` of its own, which says the thing is there: "security key" is not in "I don't have a
 * security key").
 */
type Polarity = 'either' | 'positive' | 'negated' | 'asserted';
const POLARITIES: readonly Polarity[] = ['either', 'positive', 'negated', 'asserted'];

/** The words of a Latin text: contractions expanded, sign-in spellings joined, stemmed, filler flagged. */
function readWords(normalised: string): Word[] {
  const raw: string[] = [];
  const determiners = new Set<number>();
  for (const token of normalised.match(LATIN_WORD) ?? []) {
    if (token === 'no') determiners.add(raw.length);
    raw.push(...(CONTRACTIONS.get(token) ?? [token]));
  }
  const words: Word[] = [];
  for (let i = 0; i < raw.length; i += 1) {
    const token = raw[i] ?? '';
    const next = raw[i + 1];
    let surface = token;
    if (SIGN_IN_WORDS.has(token)) surface = 'signin';
    else if (next !== undefined && SIGN_IN_VERBS.has(token) && SIGN_IN_PARTICLES.has(next)) {
      surface = 'signin';
      i += 1;
    } else if (next === 'up' && (SET_UP_VERBS.has(token) || SIGN_UP_VERBS.has(token))) {
      surface = SET_UP_VERBS.has(token) ? 'setup' : 'signup';
      i += 1;
    } else if (next === 'lock' && KEYBOARD_LOCKS.has(token)) {
      // "caps lock is off" is about the keyboard, never a locked account.
      surface = `${token}lock`;
      i += 1;
    }
    const word: Word = {
      surface,
      stem: surface === 'signin' ? surface : stem(surface),
      filler: STOP_WORDS.has(surface),
    };
    if (determiners.has(i)) word.determiner = true;
    words.push(word);
  }
  return words;
}

function contentWords(normalised: string): Word[] {
  return readWords(normalised).filter((word) => !word.filler);
}

/**
 * The filler words an unquoted alternative of several words loses in `phrase` (`timed out` is read as `timed`,
 * `windows hello` as `windows`), with the alternative: a knowledge author almost always meant the wording, which
 * is written quoted (`"timed out"`). Plain-text phrases (no `+` or `|`) are read as their content words by design.
 */
export function fillerDroppedIn(phrase: string): Array<{ alternative: string; dropped: string[] }> {
  const body = phrase.trimStart().replace(/^~/u, '');
  if (!/[+|*]/u.test(body) && !QUOTED.test(body)) return [];
  const found: Array<{ alternative: string; dropped: string[] }> = [];
  for (const written of body.split(/[+|]/u)) {
    const raw = written
      .replace(/\*\s*$/u, '')
      .trim()
      .normalize('NFKC');
    if (QUOTED.test(raw)) continue;
    const normalised = normalise(raw);
    if (!ONLY_LATIN.test(normalised)) continue;
    const words = readWords(normalised);
    if (words.length < 2) continue;
    const dropped = words.filter((word) => word.filler).map((word) => word.surface);
    if (dropped.length > 0 && dropped.length < words.length) found.push({ alternative: raw, dropped });
  }
  return found;
}

/** The words of a message, each marked with whether a negation covers, governs or denies it. */
function readMessageWords(text: string): Word[] {
  const words: Word[] = [];
  for (const clause of text.normalize('NFKC').split(CLAUSE_BREAK)) {
    let covering = false;
    let governing = false;
    let denying = false;
    // Within a denied list: whether a thing was named yet, and whether `or` came after it.
    let named = false;
    let joined = false;
    for (const word of readWords(normalise(clause))) {
      if (CLAUSE_WORDS.has(word.surface)) {
        covering = false;
        governing = false;
        denying = false;
      } else if (word.surface === 'not') {
        covering = true;
        governing = true;
        denying = word.determiner === true;
        named = false;
        joined = false;
      } else if (covering) {
        word.covered = true;
        // "don't have the app for my WOG account", "never set up MFA the first time": the list of things denied ends
        // at a preposition, or at an article that no `or` joins to it.
        if (OWNER_LEADS.has(word.surface) || (named && !joined && ARTICLES.has(word.surface))) denying = false;
        if (denying && !word.filler) {
          word.denied = true;
          named = true;
          joined = false;
        } else if (word.surface === 'or' || word.surface === 'nor') joined = true;
        if (governing && !NEGATION_SKIPS.has(word.surface)) {
          word.governed = true;
          governing = false;
          if (UNSURE.has(word.surface)) covering = false;
          else if (HAVING.has(word.stem)) denying = true;
        }
      }
      words.push(word);
    }
  }
  return words;
}

const isDigit = (char: string | undefined): boolean => char !== undefined && char >= '0' && char <= '9';

/**
 * The intent of the first known error code in the text: after AADSTS, "error", "code", エラー or コード, or alone as
 * 5 or 6 digits that are neither part of a longer run of digit groups nor a reference.
 */
function findCodedIntent(text: string, intentsByCode: ReadonlyMap<number, CodedIntent>): CodedIntent | undefined {
  if (intentsByCode.size === 0) return undefined;
  const plain = text.normalize('NFKC').toLowerCase();
  for (const run of plain.matchAll(/\d+/g)) {
    const start = run.index;
    const end = start + run[0].length;
    const intent = intentsByCode.get(Number(run[0]));
    if (intent === undefined) continue;
    const before = plain.slice(Math.max(0, start - 32), start);
    if (CODE_LEAD.test(before)) return intent;
    if (run[0].length < 5 || run[0].length > 6 || run[0].startsWith('0') || REFERENCE_LEAD.test(before)) continue;
    const previous = plain[start - 1] ?? '';
    const next = plain[end] ?? '';
    if (NOT_BESIDE_CODE.test(previous) || NOT_BESIDE_CODE.test(next)) continue;
    // "03 50105 1234", "2024.50105", "DX-50105": a group of a longer number, or a number joined to a word.
    const beforePrevious = plain[start - 2] ?? '';
    const joinedBefore =
      DIGIT_GROUP_SEPARATOR.test(previous) &&
      (isDigit(beforePrevious) || (previous !== ' ' && /\p{Script=Latin}/u.test(beforePrevious)));
    const joinedAfter = DIGIT_GROUP_SEPARATOR.test(next) && isDigit(plain[end + 1]);
    if (!joinedBefore && !joinedAfter) return intent;
  }
  return undefined;
}

/**
 * Whether the words appear in this order, each up to the wording's own `not` under a negation written before it
 * exactly when the polarity asks for one: "not at hand" is no positive `"at hand"`, while `"not me"` and
 * `"doesnt exist in tenant"` carry their own negation.
 */
function containsSequence(haystack: readonly Word[], needle: readonly string[], polarity: Polarity): boolean {
  for (let start = 0; start + needle.length <= haystack.length; start += 1) {
    let negatedWithin = false;
    const found = needle.every((stem, offset) => {
      const word = haystack[start + offset];
      if (word?.stem !== stem) return false;
      const fits = negatedWithin || polarity === 'either' || (word.covered === true) === (polarity === 'negated');
      negatedWithin ||= stem === 'not';
      return fits;
    });
    if (found) return true;
  }
  return false;
}

/** Optimal string alignment distance, giving up as soon as it must exceed `max`. */
function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let before = new Array<number>(b.length + 1).fill(0);
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  let current = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i += 1) {
    current[0] = i;
    let rowMin = i;
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, (before[j - 2] ?? 0) + 1);
      }
      current[j] = value;
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin > max) return max + 1;
    [before, previous, current] = [previous, current, before];
  }
  return previous[b.length] ?? max + 1;
}

function typoAllowance(length: number): number {
  if (length >= 8) return 2;
  return length >= 4 ? 1 : 0;
}

function isTypoOf(typed: Word, keyword: Word): boolean {
  // 50054 is not a typo of the code 50053, nor fido3 of fido2.
  if (typed.surface[0] !== keyword.surface[0] || /\d/.test(typed.surface) || /\d/.test(keyword.surface)) return false;
  const pairs: readonly (readonly [string, string])[] = [
    [typed.surface, keyword.surface],
    [typed.stem, keyword.stem],
  ];
  return pairs.some(([a, b]) => {
    const allowed = typoAllowance(Math.min(a.length, b.length));
    return allowed > 0 && editDistance(a, b, allowed) <= allowed;
  });
}

/**
 * Words that must all appear (as slots: vocabulary index × 3 + polarity index), words that must appear in this order,
 * or a substring; `size` is how many words it stands for, `key` what it is counted under for rarity, `rarity` how
 * telling that key is.
 */
type Alternative = { key: string; size: number; rarity: number } & (
  | { kind: 'words'; slots: readonly number[] }
  | { kind: 'sequence'; stems: readonly string[]; polarity: Polarity; sequence: number }
  | { kind: 'text'; text: number }
);

/**
 * A Japanese wording: found anywhere (`either`), found where no negation follows it (`positive`, read after a noun or
 * after a verb), or `text` being the stem of a negative wording, found followed by a negation (`negative`).
 */
interface TextEntry {
  /** The wording, or for a negative one its stems (通らない: 通ら, and 通り for 通りません). */
  texts: readonly string[];
  polarity: 'either' | 'positive' | 'negative';
  negatedAfter: RegExp;
}

interface CompiledPhrase {
  groups: readonly (readonly Alternative[])[];
  /** Each group's number in the list: groups written alike in several phrases share one, and are read once. */
  groupIds: readonly number[];
  requireAll: boolean;
  general: boolean;
  /** The CONTRARIES (indexes) this phrase reads the contrary side of; it is read without clauses keeping their thing. */
  contraries: readonly number[];
}

interface CompiledIntent {
  id: string;
  phrases: readonly CompiledPhrase[];
}

interface Compiled {
  intents: readonly CompiledIntent[];
  signals: readonly CompiledIntent[];
  vocabulary: readonly Word[];
  vocabularyStems: ReadonlySet<string>;
  texts: readonly TextEntry[];
  /** Whether some verbatim wording is made of filler words only, so that a message of filler words may match. */
  fillerOnlySequence: boolean;
  /** How many different groups the phrases have, and how many different verbatim wordings. */
  groupCount: number;
  sequenceCount: number;
  /**
   * Where a message can give a group credit, so that the groups it cannot are passed over unread: a group has credit
   * only when one of its alternatives' first word is in the message (or, for a keyword of four letters or more, a
   * typo of it), its verbatim wording's first word is, or a Japanese wording's first character is.
   */
  groupsByWord: readonly (readonly number[])[];
  groupsBySequenceStart: ReadonlyMap<string, readonly number[]>;
  groupsByTextStart: ReadonlyMap<string, readonly number[]>;
  /** Keywords of four letters or more by first letter, the only ones a typo can stand for (isTypoOf). */
  typoKeywordsByInitial: ReadonlyMap<string, readonly number[]>;
  vocabularyIds: ReadonlyMap<string, number>;
  intentsByCode: ReadonlyMap<number, CodedIntent>;
}

/** The intent an error code chooses, and whether the code is one of its `generalCodes`. */
interface CodedIntent {
  id: string;
  general: boolean;
}

// Intent lists are content loaded once, so each is compiled once and then only read.
type SignalList = ReadonlyArray<Pick<IntentDefinition, 'id' | 'phrases'>>;
const NO_SIGNALS: SignalList = [];
const compiledLists = new WeakMap<readonly IntentDefinition[], WeakMap<SignalList, Compiled>>();

function compile(definitions: readonly IntentDefinition[], signalDefinitions: SignalList): Compiled {
  const vocabulary: Word[] = [];
  const vocabularyIndex = new Map<string, number>();
  const texts: TextEntry[] = [];
  const textIndex = new Map<string, number>();
  const intentsByKey = new Map<string, Set<number>>();
  const intentsByCode = new Map<number, CodedIntent>();
  const groupIndex = new Map<string, number>();
  const sequenceIndex = new Map<string, number>();
  let fillerOnlySequence = false;

  const wordId = (word: Word): number => {
    let id = vocabularyIndex.get(word.stem);
    if (id === undefined) {
      id = vocabulary.push(word) - 1;
      vocabularyIndex.set(word.stem, id);
    }
    return id;
  };
  const textId = (entry: TextEntry): number => {
    const key = `${entry.polarity} ${entry.negatedAfter.source} ${entry.texts.join(' ')}`;
    let id = textIndex.get(key);
    if (id === undefined) {
      id = texts.push(entry) - 1;
      textIndex.set(key, id);
    }
    return id;
  };
  /** `raw` as written (NFKC), to tell a verb's kana ending from a noun; `either` when it ends in `*`. */
  const textAlternative = (text: string, raw: string, either: boolean): Alternative => {
    const stem = text.replace(JA_NEGATIVE_ENDING, '');
    const polite = JA_POLITE_STEM.get(stem.at(-1) ?? '');
    let entry: TextEntry;
    if (either) entry = { texts: [text], polarity: 'either', negatedAfter: JA_NEGATED_STEM };
    else if (stem !== text && stem !== '') {
      const texts = polite === undefined ? [stem] : [stem, `${stem.slice(0, -1)}${polite}`];
      entry = { texts, polarity: 'negative', negatedAfter: JA_NEGATED_STEM };
    } else if (KANA_ENDING.test(raw)) entry = { texts: [text], polarity: 'positive', negatedAfter: JA_NEGATED_VERB };
    else entry = { texts: [text], polarity: 'positive', negatedAfter: JA_NEGATED_NOUN };
    return { kind: 'text', text: textId(entry), key: either ? `${text}*` : text, size: 1, rarity: 0 };
  };
  /**
   * Words after a `not`, in this alternative or as the group before (`negated`), must be negated; others are
   * `positive`, or `asserted` in a phrase without a `not` of its own.
   */
  const wordAlternative = (words: readonly Word[], either: boolean, plain: Polarity): Alternative => {
    let afterNot = plain === 'negated';
    const slots = words.map((word) => {
      const isNot = word.stem === 'not';
      const polarity: Polarity = either || isNot ? 'either' : afterNot ? 'negated' : plain;
      afterNot ||= isNot;
      return wordId(word) * POLARITIES.length + POLARITIES.indexOf(polarity);
    });
    const key = words.map((word) => word.stem).join(' ');
    return { kind: 'words', slots, key: either ? `${key}*` : key, size: words.length, rarity: 0 };
  };
  const alternative = (written: string, plain: Polarity): Alternative | undefined => {
    const either = /\*\s*$/u.test(written);
    const raw = written
      .replace(/\*\s*$/u, '')
      .trim()
      .normalize('NFKC');
    const normalised = normalise(raw);
    if (normalised === '') return undefined;
    if (QUOTED.test(raw) && ONLY_LATIN.test(normalised)) {
      const words = readWords(normalised);
      if (words.every((word) => word.filler)) fillerOnlySequence = true;
      const stems = words.map((word) => word.stem);
      const polarity: Polarity = either ? 'either' : plain === 'negated' ? 'negated' : 'positive';
      const signature = `${polarity} ${stems.join(' ')}`;
      let sequence = sequenceIndex.get(signature);
      if (sequence === undefined) {
        sequence = sequenceIndex.size;
        sequenceIndex.set(signature, sequence);
      }
      return {
        kind: 'sequence',
        stems,
        polarity,
        sequence,
        key: `"${stems.join(' ')}"`,
        // What it says counts, not its filler: "need to set up" weighs as much as "set up".
        size: Math.max(1, words.filter((word) => !word.filler).length),
        rarity: 0,
      };
    }
    if (ONLY_LATIN.test(normalised)) {
      const words = contentWords(normalised);
      return words.length === 0 ? undefined : wordAlternative(words, either, plain);
    }
    return textAlternative(normalised.replaceAll(' ', ''), raw, either);
  };
  const isNegation = (group: readonly Alternative[]): boolean =>
    group.length > 0 && group.every((alt) => alt.kind === 'words' && alt.key === 'not');
  const groupsOf = (phrase: string): Alternative[][] => {
    const groups: Alternative[][] = [];
    const positive: Polarity = readWords(normalise(phrase)).some((word) => word.stem === 'not')
      ? 'positive'
      : 'asserted';
    const plainAfter = (group: readonly Alternative[] | undefined): Polarity =>
      isNegation(group ?? []) ? 'negated' : positive;
    if (/[+|*]/.test(phrase) || QUOTED.test(phrase)) {
      for (const written of phrase.split('+')) {
        const plain = plainAfter(groups.at(-1));
        const group = written
          .split('|')
          .map((alt) => alternative(alt, plain))
          .filter((alt): alt is Alternative => alt !== undefined);
        if (group.length > 0) groups.push(group);
      }
      return groups;
    }
    // Plain text: the words are read together so that "sign in" and "can't" keep their meaning.
    for (const word of contentWords(normalise(phrase))) {
      groups.push([wordAlternative([word], false, plainAfter(groups.at(-1)))]);
    }
    const written = phrase
      .normalize('NFKC')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, ' ');
    for (const run of written.match(NON_LATIN_RUN) ?? []) {
      const text = normalise(run).replaceAll(' ', '');
      if (text !== '') groups.push([textAlternative(text, run, false)]);
    }
    return groups;
  };

  const groupsByWord: number[][] = [];
  const groupsBySequenceStart = new Map<string, number[]>();
  const groupsByTextStart = new Map<string, number[]>();
  const add = <K>(index: Map<K, number[]>, key: K, groupId: number) => {
    const holders = index.get(key);
    if (holders === undefined) index.set(key, [groupId]);
    else if (holders.at(-1) !== groupId) holders.push(groupId);
  };
  /** Files a new group under what a message must hold for this alternative of it to have credit. */
  const indexAlternative = (alt: Alternative, groupId: number) => {
    if (alt.kind === 'words') {
      const word = Math.floor((alt.slots[0] ?? 0) / POLARITIES.length);
      const holders = (groupsByWord[word] ??= []);
      if (holders.at(-1) !== groupId) holders.push(groupId);
    } else if (alt.kind === 'sequence') add(groupsBySequenceStart, alt.stems[0] ?? '', groupId);
    else for (const text of texts[alt.text]?.texts ?? []) add(groupsByTextStart, text[0] ?? '', groupId);
  };

  /** Signals need every group (`everyGroup`) and do not count towards a keyword's rarity among intents. */
  const compileList = (list: SignalList, everyGroup: boolean) =>
    list.map((definition, intentIndex): CompiledIntent => {
      const phrases: CompiledPhrase[] = [];
      for (const [language, list] of [
        ['en', definition.phrases.en],
        ['ja', definition.phrases.ja],
      ] as const) {
        for (const phrase of list) {
          const general = phrase.trimStart().startsWith('~');
          const groups = groupsOf(general ? phrase.trimStart().slice(1) : phrase);
          if (groups.length === 0) continue;
          const groupIds = groups.map((group) => {
            const signature = group.map(signatureOf).join('|');
            let groupId = groupIndex.get(signature);
            if (groupId === undefined) {
              groupId = groupIndex.size;
              groupIndex.set(signature, groupId);
              for (const alt of group) indexAlternative(alt, groupId);
            }
            return groupId;
          });
          const requireAll = everyGroup || language === 'ja';
          phrases.push({ groups, groupIds, requireAll, general, contraries: contrariesOf(phrase) });
          if (everyGroup) continue;
          for (const alt of groups.flat()) {
            const holders = intentsByKey.get(alt.key) ?? new Set<number>();
            holders.add(intentIndex);
            intentsByKey.set(alt.key, holders);
          }
        }
      }
      return { id: definition.id, phrases };
    });
  const intents = compileList(definitions, false);
  const signals = compileList(signalDefinitions, true);

  // A keyword many intents share ("not", "signin") says less than one only a single intent uses ("stolen"). Signals
  // get the same figure, so that groups written alike read alike wherever they are.
  for (const intent of [...intents, ...signals]) {
    for (const phrase of intent.phrases) {
      for (const alt of phrase.groups.flat()) {
        alt.rarity = Math.log(1 + definitions.length / (intentsByKey.get(alt.key)?.size ?? definitions.length));
      }
    }
  }
  for (const definition of definitions) {
    // The validator refuses a code given to two intents; were one loaded anyway, the first intent keeps it.
    for (const code of definition.codes ?? []) {
      if (!intentsByCode.has(code)) intentsByCode.set(code, { id: definition.id, general: false });
    }
    for (const code of definition.generalCodes ?? []) {
      if (!intentsByCode.has(code)) intentsByCode.set(code, { id: definition.id, general: true });
    }
  }
  const vocabularyStems = new Set(vocabularyIndex.keys());
  const typoKeywordsByInitial = new Map<string, number[]>();
  vocabulary.forEach((keyword, id) => {
    if (keyword.surface.length >= 4) add(typoKeywordsByInitial, keyword.surface[0] ?? '', id);
  });
  return {
    intents,
    signals,
    vocabulary,
    vocabularyStems,
    texts,
    fillerOnlySequence,
    intentsByCode,
    groupCount: groupIndex.size,
    sequenceCount: sequenceIndex.size,
    groupsByWord,
    groupsBySequenceStart,
    groupsByTextStart,
    typoKeywordsByInitial,
    vocabularyIds: vocabularyIndex,
  };
}

/** The CONTRARIES whose contrary side a phrase reads: a contrary word, or `not` right before a kept word. */
function contrariesOf(phrase: string): number[] {
  const normalised = normalise(phrase);
  const words = readWords(normalised);
  const compact = normalised.replaceAll(' ', '');
  const found: number[] = [];
  CONTRARIES.forEach(({ keep, contrary }, index) => {
    const reads =
      contrary.some((text) => !ONLY_LATIN.test(text) && compact.includes(text)) ||
      words.some(
        (word, at) =>
          contrary.includes(word.surface) || (keep.includes(word.surface) && words[at - 1]?.surface === 'not'),
      );
    if (reads) found.push(index);
  });
  return found;
}

/**
 * The text without its clauses that say a thing of CONTRARIES `indexes` is fine, or undefined when none does. A
 * clause ends at punctuation, at a word such as "but" or "and", or at のに, けど and the like.
 */
function withoutKeepingClauses(text: string, indexes: readonly number[]): string | undefined {
  // Most messages hold no kept word at all: they are read whole without splitting them into clauses.
  const compact = normalise(text).replaceAll(' ', '');
  if (!indexes.some((index) => CONTRARIES[index]?.compactKeep.some((keep) => compact.includes(keep)))) {
    return undefined;
  }
  const clauses = text
    .normalize('NFKC')
    .split(CLAUSE_BREAK)
    .flatMap((chunk) => chunk.split(CLAUSE_JOINT));
  const rest = clauses.filter((clause) => !indexes.some((index) => keepsItsThing(clause, index)));
  return rest.length === clauses.length ? undefined : rest.join('. ');
}

/** Whether a clause says its thing is fine in the sense of CONTRARIES[index], without saying the contrary. */
function keepsItsThing(clause: string, index: number): boolean {
  const pair = CONTRARIES[index];
  if (pair === undefined) return false;
  const words = readMessageWords(clause);
  const compact = normalise(clause).replaceAll(' ', '');
  const japanese = (list: readonly string[]) => list.filter((text) => !ONLY_LATIN.test(text));
  if (words.some((word) => pair.contrary.includes(word.surface))) return false;
  if (japanese(pair.contrary).some((text) => compact.includes(text))) return false;
  if (words.some((word) => pair.keep.includes(word.surface) && word.covered !== true)) return true;
  return japanese(pair.keep).some((text) => {
    for (let at = compact.indexOf(text); at >= 0; at = compact.indexOf(text, at + 1)) {
      if (!JA_NEGATED_VERB.test(compact.slice(at + text.length, at + text.length + 12))) return true;
    }
    return false;
  });
}

/** What makes two alternatives read alike: groups of alike alternatives in the same order are one group. */
function signatureOf(alt: Alternative): string {
  if (alt.kind === 'words') return `w ${alt.key} ${alt.slots.join(',')}`;
  if (alt.kind === 'sequence') return `s ${alt.sequence}`;
  return `t ${alt.text}`;
}

/** What a phrase achieved; compared field by field, in this order, to pick the best. */
interface PhraseResult {
  general: boolean;
  coverage: number;
  words: number;
  specificity: number;
  score: number;
}

function isBetter(a: PhraseResult, b: PhraseResult | undefined): boolean {
  if (b === undefined) return true;
  if (a.general !== b.general) return b.general;
  if (a.coverage !== b.coverage) return a.coverage > b.coverage;
  if (a.words !== b.words) return a.words > b.words;
  if (a.specificity !== b.specificity) return a.specificity > b.specificity;
  return a.score > b.score;
}

/** Per-message view of the text, with each keyword's credit worked out at most once. */
/**
 * What messages read of one compiled list, memoised: a value counts for the message whose generation stamped it, and
 * is unread for any other. Kept with the compiled lists and shared, so that reading a message allocates nothing in
 * proportion to the vocabulary: a message made while another is read (its variant without some clauses) only stamps
 * over the values it reads, which the other then reads again.
 */
interface Memo {
  generation: number;
  wordCredits: Float64Array;
  wordStamps: Int32Array;
  textCredits: Int8Array;
  textStamps: Int32Array;
  sequenceCredits: Int8Array;
  sequenceStamps: Int32Array;
  groupCredit: Float64Array;
  groupRarity: Float64Array;
  groupSize: Int32Array;
  groupStamps: Int32Array;
}

const memos = new WeakMap<Compiled, Memo>();

/** The memo of `compiled`, and a generation no message of it has used. */
function nextGeneration(compiled: Compiled): { memo: Memo; generation: number } {
  let memo = memos.get(compiled);
  if (memo === undefined) {
    const slots = compiled.vocabulary.length * POLARITIES.length;
    memo = {
      generation: 0,
      wordCredits: new Float64Array(slots),
      wordStamps: new Int32Array(slots),
      textCredits: new Int8Array(compiled.texts.length),
      textStamps: new Int32Array(compiled.texts.length),
      sequenceCredits: new Int8Array(compiled.sequenceCount),
      sequenceStamps: new Int32Array(compiled.sequenceCount),
      groupCredit: new Float64Array(compiled.groupCount),
      groupRarity: new Float64Array(compiled.groupCount),
      groupSize: new Int32Array(compiled.groupCount),
      groupStamps: new Int32Array(compiled.groupCount),
    };
    memos.set(compiled, memo);
  }
  if (memo.generation === 0x7fffffff) {
    // After two billion messages the stamps start again from a clean slate.
    for (const stamps of [memo.wordStamps, memo.textStamps, memo.sequenceStamps, memo.groupStamps]) stamps.fill(0);
    memo.generation = 0;
  }
  memo.generation += 1;
  return { memo, generation: memo.generation };
}

class Message {
  /** Whether the message has a content word or any Japanese text: without either, only filler was typed. */
  readonly hasContent: boolean;
  /** The stems of the content words, per polarity: all of them, those no negation governs, those one covers. */
  private readonly stems: readonly Set<string>[];
  private readonly sequence: readonly Word[];
  private readonly typoCandidates: Word[];
  private readonly compact: string;
  private readonly memo: Memo;
  private readonly generation: number;
  /**
   * Per group, as last read by `group()` (for this message right after it returns): the credit of its best
   * alternative, that alternative's rarity times it, its size.
   */
  readonly groupCredit: Float64Array;
  readonly groupRarity: Float64Array;
  readonly groupSize: Int32Array;
  /**
   * The groups this message may give credit (Compiled.groupsByWord and its kin); the others have none. Found when
   * first asked: a message of filler alone ("hello") is never read group by group.
   */
  private liveGroups: { live: Uint8Array; ids: readonly number[] } | undefined;
  private readonly words: readonly Word[];

  /** This message without clauses that keep a thing, per CONTRARIES read (keyed by their indexes). */
  private readonly variants = new Map<string, Message>();

  constructor(
    private readonly text: string,
    private readonly compiled: Compiled,
  ) {
    const normalised = normalise(text);
    const all = readMessageWords(text);
    const words = all.filter((word) => !word.filler);
    this.sequence = all;
    this.stems = POLARITIES.map(
      (polarity) => new Set(words.filter((word) => accepts(polarity, word)).map((word) => word.stem)),
    );
    const seen = new Set<string>();
    // A word that is itself a keyword, or an everyday word, was typed on purpose.
    this.typoCandidates = words.filter((word) => {
      if (word.surface.length < 4 || NOT_TYPOS.has(word.surface) || compiled.vocabularyStems.has(word.stem)) {
        return false;
      }
      const key = `${word.surface} ${word.covered === true} ${word.governed === true} ${word.denied === true}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    this.compact = ONLY_LATIN.test(normalised) ? '' : normalised.replaceAll(' ', '');
    this.hasContent = words.length > 0 || this.compact !== '';
    ({ memo: this.memo, generation: this.generation } = nextGeneration(compiled));
    this.groupCredit = this.memo.groupCredit;
    this.groupRarity = this.memo.groupRarity;
    this.groupSize = this.memo.groupSize;
    this.words = words;
  }

  /**
   * The phrases (by index, ascending) that may still reach MIN_SCORE: each group this message cannot give credit
   * (not live) costs a phrase a whole group's credit, so a phrase with more of those than its `room` misses whatever
   * its other groups give, and is not read.
   */
  candidates(index: PhraseIndex): number[] {
    const liveCount = new Uint16Array(index.phrases.length);
    for (const group of this.live.ids)
      for (const at of index.byGroup[group] ?? []) liveCount[at] = (liveCount[at] ?? 0) + 1;
    const found: number[] = [];
    for (let at = 0; at < liveCount.length; at += 1) {
      const live = liveCount[at] ?? 0;
      if (live > 0 && (index.sizes[at] ?? 0) - live <= (index.room[at] ?? 0)) found.push(at);
    }
    return found;
  }

  private get live(): { live: Uint8Array; ids: readonly number[] } {
    this.liveGroups ??= liveGroups(this.compiled, this.words, this.sequence, this.typoCandidates, this.compact);
    return this.liveGroups;
  }

  /** The message as a phrase reading the contrary of CONTRARIES `indexes` reads it (withoutKeepingClauses). */
  forContraries(indexes: readonly number[]): Message {
    if (indexes.length === 0) return this;
    const key = indexes.join(' ');
    let known = this.variants.get(key);
    if (known === undefined) {
      const rest = withoutKeepingClauses(this.text, indexes);
      known = rest === undefined ? this : new Message(rest, this.compiled);
      this.variants.set(key, known);
    }
    return known;
  }

  /** Reads group `id` (its alternatives `group`) once per message; returns `id`, to read its results by. */
  group(id: number, group: readonly Alternative[]): number {
    const { memo, generation } = this;
    if (memo.groupStamps[id] === generation) return id;
    memo.groupStamps[id] = generation;
    if (this.live.live[id] !== 1) {
      memo.groupCredit[id] = 0;
      memo.groupRarity[id] = 0;
      memo.groupSize[id] = 0;
      return id;
    }
    let best = 0;
    let bestRarity = 0;
    let bestSize = 0;
    for (const alt of group) {
      const credit = this.credit(alt);
      const altRarity = alt.rarity * credit;
      if (credit > best || (credit === best && credit > 0 && altRarity > bestRarity)) {
        best = credit;
        bestRarity = altRarity;
        bestSize = alt.size;
      }
    }
    memo.groupCredit[id] = best;
    memo.groupRarity[id] = bestRarity;
    memo.groupSize[id] = bestSize;
    return id;
  }

  credit(alt: Alternative): number {
    const { memo, generation } = this;
    if (alt.kind === 'text') {
      if (memo.textStamps[alt.text] !== generation) {
        const entry = this.compiled.texts[alt.text];
        memo.textCredits[alt.text] = entry !== undefined && this.hasText(entry) ? 1 : 0;
        memo.textStamps[alt.text] = generation;
      }
      return memo.textCredits[alt.text] ?? 0;
    }
    if (alt.kind === 'sequence') {
      if (memo.sequenceStamps[alt.sequence] !== generation) {
        memo.sequenceCredits[alt.sequence] = containsSequence(this.sequence, alt.stems, alt.polarity) ? 1 : 0;
        memo.sequenceStamps[alt.sequence] = generation;
      }
      return memo.sequenceCredits[alt.sequence] ?? 0;
    }
    let credit = 1;
    for (const slot of alt.slots) credit = Math.min(credit, this.wordCredit(slot));
    return credit;
  }

  /** Whether the wording appears with the polarity it asks for, at any one of its places in the text. */
  private hasText({ texts, polarity, negatedAfter }: TextEntry): boolean {
    for (const text of texts) {
      if (polarity === 'either') {
        if (this.compact.includes(text)) return true;
        continue;
      }
      for (let at = this.compact.indexOf(text); at >= 0; at = this.compact.indexOf(text, at + 1)) {
        const after = this.compact.slice(at + text.length, at + text.length + 12);
        if (negatedAfter.test(after) === (polarity === 'negative')) return true;
      }
    }
    return false;
  }

  private wordCredit(slot: number): number {
    const { memo, generation } = this;
    if (memo.wordStamps[slot] === generation) return memo.wordCredits[slot] ?? 0;
    const keyword = this.compiled.vocabulary[Math.floor(slot / POLARITIES.length)];
    const polarity = POLARITIES[slot % POLARITIES.length] ?? 'either';
    let credit = 0;
    if (keyword !== undefined) {
      if (this.stems[slot % POLARITIES.length]?.has(keyword.stem)) credit = 1;
      else if (
        keyword.surface.length >= 4 &&
        this.typoCandidates.some((typed) => accepts(polarity, typed) && isTypoOf(typed, keyword))
      ) {
        credit = TYPO_CREDIT;
      }
    }
    memo.wordCredits[slot] = credit;
    memo.wordStamps[slot] = generation;
    return credit;
  }
}

/**
 * The groups a message may give credit: those filed under a word it has (or a keyword one of its typo candidates may
 * stand for), a word of its that starts a verbatim wording, or a character of its Japanese text. Every group with
 * credit is among them, so passing over the rest changes no result.
 */
function liveGroups(
  compiled: Compiled,
  words: readonly Word[],
  all: readonly Word[],
  typoCandidates: readonly Word[],
  compact: string,
): { live: Uint8Array; ids: number[] } {
  const live = new Uint8Array(compiled.groupCount);
  const ids: number[] = [];
  const mark = (groups: readonly number[] | undefined) => {
    if (groups === undefined) return;
    for (const group of groups) {
      if (live[group] === 1) continue;
      live[group] = 1;
      ids.push(group);
    }
  };
  for (const word of words) {
    const id = compiled.vocabularyIds.get(word.stem);
    if (id !== undefined) mark(compiled.groupsByWord[id]);
  }
  for (const typed of typoCandidates) {
    for (const id of compiled.typoKeywordsByInitial.get(typed.surface[0] ?? '') ?? []) {
      const keyword = compiled.vocabulary[id];
      if (keyword !== undefined && isTypoOf(typed, keyword)) mark(compiled.groupsByWord[id]);
    }
  }
  for (const word of all) mark(compiled.groupsBySequenceStart.get(word.stem));
  for (const char of new Set(compact)) mark(compiled.groupsByTextStart.get(char));
  return { live, ids };
}

/** Whether an occurrence of a word in the message counts for an alternative of this polarity. */
function accepts(polarity: Polarity, word: Word): boolean {
  if (polarity === 'positive') return word.governed !== true;
  if (polarity === 'asserted') return word.governed !== true && word.denied !== true;
  return polarity === 'negated' ? word.covered === true : true;
}

/** What a phrase that cannot match achieved, general or not: shared, since most phrases miss every message. */
const MISSED: Readonly<Record<'general' | 'specific', Readonly<PhraseResult>>> = {
  general: Object.freeze({ general: true, coverage: 0, words: 0, specificity: 0, score: 0 }),
  specific: Object.freeze({ general: false, coverage: 0, words: 0, specificity: 0, score: 0 }),
};

function evaluate(phrase: CompiledPhrase, message: Message): Readonly<PhraseResult> {
  const total = phrase.groups.length;
  // Credit still missing before the phrase can no longer reach MIN_SCORE; past it, the rest need not be read.
  let slack = total * (1 - MIN_SCORE);
  let matched = 0;
  let words = 0;
  let credits = 0;
  let specificity = 0;
  for (let index = 0; index < total; index += 1) {
    const group = message.group(phrase.groupIds[index] ?? -1, phrase.groups[index] ?? []);
    const best = message.groupCredit[group] ?? 0;
    const bestRarity = message.groupRarity[group] ?? 0;
    const bestSize = message.groupSize[group] ?? 0;
    if (best > 0) matched += 1;
    else if (phrase.requireAll) return phrase.general ? MISSED.general : MISSED.specific;
    slack -= 1 - best;
    if (slack < -1e-9) return phrase.general ? MISSED.general : MISSED.specific;
    words += bestSize;
    credits += best;
    specificity += bestRarity;
  }
  return { general: phrase.general, coverage: matched / total, words, specificity, score: credits / total };
}

/** The lists compiled, once per pair: lists are cached by identity. */
function compiledFor(intents: readonly IntentDefinition[], signals: SignalList): Compiled {
  let bySignals = compiledLists.get(intents);
  if (bySignals === undefined) {
    bySignals = new WeakMap();
    compiledLists.set(intents, bySignals);
  }
  let known = bySignals.get(signals);
  if (known === undefined) {
    known = compile(intents, signals);
    bySignals.set(signals, known);
  }
  return known;
}

/**
 * The best intent for what the person typed, or undefined when nothing is close enough.
 * The list is compiled on first use and cached by identity: pass a new array, not a mutated one, when it changes.
 */
export function matchIntent(text: string, intents: readonly IntentDefinition[]): IntentMatch | undefined {
  return readMessage(text, intents).intent;
}

/**
 * What the person typed: the best intent (as matchIntent), and, when there is one, the ids of the signals the text says,
 * in the list's order. A signal is said when one of its phrases matches with every group (the notation is the
 * intents'; no group may be missing, in English either: a signal answers a question for the person, so it must be
 * said, not guessed). Signals do not compete, so several may be said. Both lists are cached by identity.
 */
/**
 * The intents' phrases in order (intent by intent), and for each group the phrases that have it: a phrase none of
 * whose groups a message can give credit scores nothing, so only the phrases of its live groups need reading.
 */
interface PhraseIndex {
  phrases: ReadonlyArray<{ intent: string; phrase: CompiledPhrase }>;
  /** For each group, the phrases that have it, a phrase once for each time it has it. */
  byGroup: readonly (readonly number[])[];
  /** Per phrase, how many groups it has. */
  sizes: Uint16Array;
  /**
   * Per phrase, how many of its groups may give no credit at all before it can no longer reach MIN_SCORE: none when
   * it needs every group; else its slack in `evaluate`, where each such group uses up 1 (with its tolerance).
   */
  room: Float64Array;
}

const phraseIndexes = new WeakMap<Compiled, PhraseIndex>();

function phraseIndexOf(compiled: Compiled): PhraseIndex {
  let index = phraseIndexes.get(compiled);
  if (index === undefined) {
    const phrases = compiled.intents.flatMap((intent) =>
      intent.phrases.map((phrase) => ({ intent: intent.id, phrase })),
    );
    const byGroup: number[][] = Array.from({ length: compiled.groupCount }, () => []);
    const sizes = new Uint16Array(phrases.length);
    const room = new Float64Array(phrases.length);
    phrases.forEach(({ phrase }, at) => {
      for (const group of phrase.groupIds) byGroup[group]?.push(at);
      sizes[at] = phrase.groupIds.length;
      room[at] = phrase.requireAll ? 0 : phrase.groupIds.length * (1 - MIN_SCORE) + 1e-9;
    });
    index = { phrases, byGroup, sizes, room };
    phraseIndexes.set(compiled, index);
  }
  return index;
}

export function readMessage(
  text: string,
  intents: readonly IntentDefinition[],
  signals: SignalList = NO_SIGNALS,
): { intent: IntentMatch | undefined; said: string[] } {
  const nothing = { intent: undefined, said: [] };
  if (typeof text !== 'string' || text.trim() === '' || intents.length === 0) return nothing;
  const compiled = compiledFor(intents, signals);
  const coded = findCodedIntent(text, compiled.intentsByCode);
  const message = new Message(text, compiled);
  // "hello", "hi there": every phrase needs a keyword, so none can match.
  if (coded === undefined && !message.hasContent && !compiled.fillerOnlySequence) return nothing;
  let intent: IntentMatch | undefined = coded && !coded.general ? { id: coded.id, score: 1 } : undefined;
  if (intent === undefined) {
    let best: { id: string; result: PhraseResult } | undefined;
    const index = phraseIndexOf(compiled);
    // In the phrases' own order, so that a tie goes to the same phrase as when every one is read.
    for (const at of message.candidates(index)) {
      const { intent: id, phrase } = index.phrases[at]!;
      const result = evaluate(phrase, message.forContraries(phrase.contraries));
      if (result.score >= MIN_SCORE && isBetter(result, best?.result)) best = { id, result };
    }
    intent = best && { id: best.id, score: Math.min(1, best.result.score) };
    // A general code outranks every phrase but another intent's specific one, which says what went wrong.
    if (coded && (best === undefined || best.result.general || best.id === coded.id)) {
      intent = { id: coded.id, score: 1 };
    }
  }
  if (intent === undefined) return nothing;
  const said = compiled.signals
    .filter((signal) =>
      signal.phrases.some((phrase) => evaluate(phrase, message.forContraries(phrase.contraries)).score >= MIN_SCORE),
    )
    .map((signal) => signal.id);
  return { intent, said };
}
