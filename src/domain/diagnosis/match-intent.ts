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
 * order (`"you cant get there from here"`); error messages are best matched this way.
 *
 * A phrase without `+` or `|` is plain text: each English word (filler removed) and each run of Japanese becomes its
 * own group, so `lost my phone` means `lost + phone`.
 *
 * An alternative made of Latin letters and digits is matched word by word: every word must appear, with light
 * stemming (deleted = delete = deleting), a typo allowance (1 edit for words of 4–7 letters, 2 from 8 letters) and
 * filler words ignored (`i`, `my`, `the`, `help`, `hello`…; a group of only filler words is dropped). Negations
 * (`not`, `no`, `can't`, `cannot`, `doesn't`…) are all the word `not`; `log in`, `login`, `sign in`, `log on` are all
 * the word `signin`. Any other alternative (Japanese) must appear as a substring, compared after NFKC, katakana to
 * hiragana, and a few spellings of the same word made equal (出来/でき, 無く/なく, 消し/けし, 携帯/ケータイ,
 * 切れ/きれ, 届/とど, 〜ません/〜ない); synonyms such as 削除/消した or 機種変/買い替え are alternatives to list.
 * Alternatives of either kind may appear in either language's phrases, which lets a mixed message ("スマホ lost") match.
 *
 * `en` phrases of four or more groups tolerate one missing group; `ja` phrases need every group, because a
 * substring is weaker evidence than a whole word.
 *
 * A phrase starting with `~` is general (`~cannot + sign in`, `~ログイン|サインイン + できない`): it only wins when no
 * other phrase matches, so "I can't sign in because I lost my phone" goes to the intent about the phone. Otherwise a
 * phrase matched in full beats one matched in part, then more words matched win, then keywords fewer intents share,
 * then the intent listed first.
 */
export interface IntentDefinition {
  id: string;
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

/** Apostrophe-less contractions and their common misspellings; negations collapse into `not`. */
const CONTRACTIONS = new Map<string, readonly string[]>([
  ...(
    'cant cannot couldnt wont wouldnt dont doesnt didnt isnt arent wasnt werent havent hasnt hadnt shouldnt aint ' +
    'dosent dosnt doesent doesn didint dint cnt no never unable'
  )
    .split(' ')
    .map((word): [string, readonly string[]] => [word, ['not']]),
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
const SIGN_IN_WORDS = new Set(['login', 'logins', 'logon', 'signin', 'signon', 'loggin', 'loggedin', 'signedin']);
const SIGN_IN_VERBS = new Set('log logs logged logging loging sign signs signed signing sing'.split(' '));
const SIGN_IN_PARTICLES = new Set(['in', 'on', 'into', 'onto']);
const SIGN_UP_VERBS = new Set(['sign', 'signs', 'signed', 'signing']);
const SET_UP_VERBS = new Set(['set', 'sets', 'setting']);

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
  ['gone', 'go'],
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
    'test tests text next word worm wife wide wise black march watch catch batch'
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
  ['分から', 'わから'],
  ['下さい', 'ください'],
  ['ません', 'ない'],
];

const LATIN_WORD = /[\p{Script=Latin}0-9]+/gu;
const ONLY_LATIN = /^[\p{Script=Latin}0-9 ]*$/u;
const NON_LATIN_RUN = /[^\p{Script=Latin}0-9 ]+/gu;
const QUOTED = /^\s*["“＂].*["”＂]\s*$/u;

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
}

/** The words of a Latin text: contractions expanded, sign-in spellings joined, stemmed, filler flagged. */
function readWords(normalised: string): Word[] {
  const raw = (normalised.match(LATIN_WORD) ?? []).flatMap((token) => CONTRACTIONS.get(token) ?? [token]);
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
    }
    words.push({ surface, stem: surface === 'signin' ? surface : stem(surface), filler: STOP_WORDS.has(surface) });
  }
  return words;
}

function contentWords(normalised: string): Word[] {
  return readWords(normalised).filter((word) => !word.filler);
}

function containsSequence(haystack: readonly string[], needle: readonly string[]): boolean {
  for (let start = 0; start + needle.length <= haystack.length; start += 1) {
    if (needle.every((item, offset) => haystack[start + offset] === item)) return true;
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
  if (typed.surface[0] !== keyword.surface[0]) return false;
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
 * Words (vocabulary indexes) that must all appear, words that must appear in this order, or a substring; `size` is
 * how many words it stands for, `key` what it is counted under for rarity, `rarity` how telling that key is.
 */
type Alternative = { key: string; size: number; rarity: number } & (
  | { kind: 'words'; words: readonly number[] }
  | { kind: 'sequence'; stems: readonly string[] }
  | { kind: 'text'; text: number }
);

interface CompiledPhrase {
  groups: readonly (readonly Alternative[])[];
  requireAll: boolean;
  general: boolean;
}

interface CompiledIntent {
  id: string;
  phrases: readonly CompiledPhrase[];
}

interface Compiled {
  intents: readonly CompiledIntent[];
  vocabulary: readonly Word[];
  vocabularyStems: ReadonlySet<string>;
  texts: readonly string[];
  /** Whether some verbatim wording is made of filler words only, so that a message of filler words may match. */
  fillerOnlySequence: boolean;
}

// Intent lists are content loaded once, so each is compiled once and then only read.
const compiledLists = new WeakMap<readonly IntentDefinition[], Compiled>();

function compile(definitions: readonly IntentDefinition[]): Compiled {
  const vocabulary: Word[] = [];
  const vocabularyIndex = new Map<string, number>();
  const texts: string[] = [];
  const textIndex = new Map<string, number>();
  const intentsByKey = new Map<string, Set<number>>();
  let fillerOnlySequence = false;

  const wordId = (word: Word): number => {
    let id = vocabularyIndex.get(word.stem);
    if (id === undefined) {
      id = vocabulary.push(word) - 1;
      vocabularyIndex.set(word.stem, id);
    }
    return id;
  };
  const textId = (text: string): number => {
    let id = textIndex.get(text);
    if (id === undefined) {
      id = texts.push(text) - 1;
      textIndex.set(text, id);
    }
    return id;
  };
  const textAlternative = (text: string): Alternative => ({
    kind: 'text',
    text: textId(text),
    key: text,
    size: 1,
    rarity: 0,
  });
  const wordAlternative = (words: readonly Word[]): Alternative => ({
    kind: 'words',
    words: words.map(wordId),
    key: words.map((word) => word.stem).join(' '),
    size: words.length,
    rarity: 0,
  });
  const alternative = (raw: string): Alternative | undefined => {
    const normalised = normalise(raw);
    if (normalised === '') return undefined;
    if (QUOTED.test(raw) && ONLY_LATIN.test(normalised)) {
      const words = readWords(normalised);
      if (words.every((word) => word.filler)) fillerOnlySequence = true;
      const stems = words.map((word) => word.stem);
      return { kind: 'sequence', stems, key: `"${stems.join(' ')}"`, size: stems.length, rarity: 0 };
    }
    if (ONLY_LATIN.test(normalised)) {
      const words = contentWords(normalised);
      return words.length === 0 ? undefined : wordAlternative(words);
    }
    return textAlternative(normalised.replaceAll(' ', ''));
  };
  const groupsOf = (phrase: string): Alternative[][] => {
    if (/[+|]/.test(phrase) || QUOTED.test(phrase)) {
      return phrase
        .split('+')
        .map((group) =>
          group
            .split('|')
            .map(alternative)
            .filter((alt): alt is Alternative => alt !== undefined),
        )
        .filter((group) => group.length > 0);
    }
    // Plain text: the words are read together so that "sign in" and "can't" keep their meaning.
    const normalised = normalise(phrase);
    const words = contentWords(normalised).map((word) => [wordAlternative([word])]);
    const runs = (normalised.match(NON_LATIN_RUN) ?? []).map((run) => [textAlternative(run)]);
    return [...words, ...runs];
  };

  const intents = definitions.map((definition, intentIndex): CompiledIntent => {
    const phrases: CompiledPhrase[] = [];
    for (const [language, list] of [
      ['en', definition.phrases.en],
      ['ja', definition.phrases.ja],
    ] as const) {
      for (const phrase of list) {
        const general = phrase.trimStart().startsWith('~');
        const groups = groupsOf(general ? phrase.trimStart().slice(1) : phrase);
        if (groups.length === 0) continue;
        phrases.push({ groups, requireAll: language === 'ja', general });
        for (const alt of groups.flat()) {
          const holders = intentsByKey.get(alt.key) ?? new Set<number>();
          holders.add(intentIndex);
          intentsByKey.set(alt.key, holders);
        }
      }
    }
    return { id: definition.id, phrases };
  });

  // A keyword many intents share ("not", "signin") says less than one only a single intent uses ("stolen").
  for (const intent of intents) {
    for (const phrase of intent.phrases) {
      for (const alt of phrase.groups.flat()) {
        alt.rarity = Math.log(1 + definitions.length / (intentsByKey.get(alt.key)?.size ?? definitions.length));
      }
    }
  }
  return { intents, vocabulary, vocabularyStems: new Set(vocabularyIndex.keys()), texts, fillerOnlySequence };
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
class Message {
  /** Whether the message has a content word or any Japanese text: without either, only filler was typed. */
  readonly hasContent: boolean;
  private readonly stems: Set<string>;
  private readonly sequence: readonly string[];
  private readonly typoCandidates: Word[];
  private readonly compact: string;
  private readonly wordCredits: Float64Array;
  private readonly textCredits: Int8Array;

  constructor(
    text: string,
    private readonly compiled: Compiled,
  ) {
    const normalised = normalise(text);
    const all = readWords(normalised);
    const words = all.filter((word) => !word.filler);
    this.sequence = all.map((word) => word.stem);
    this.stems = new Set(words.map((word) => word.stem));
    const seen = new Set<string>();
    // A word that is itself a keyword, or an everyday word, was typed on purpose.
    this.typoCandidates = words.filter((word) => {
      if (seen.has(word.surface) || word.surface.length < 4) return false;
      seen.add(word.surface);
      return !NOT_TYPOS.has(word.surface) && !compiled.vocabularyStems.has(word.stem);
    });
    this.compact = ONLY_LATIN.test(normalised) ? '' : normalised.replaceAll(' ', '');
    this.hasContent = words.length > 0 || this.compact !== '';
    this.wordCredits = new Float64Array(compiled.vocabulary.length).fill(-1);
    this.textCredits = new Int8Array(compiled.texts.length).fill(-1);
  }

  credit(alt: Alternative): number {
    if (alt.kind === 'text') {
      let known = this.textCredits[alt.text] ?? -1;
      if (known < 0) {
        known = this.compact.includes(this.compiled.texts[alt.text] ?? '\u0000') ? 1 : 0;
        this.textCredits[alt.text] = known;
      }
      return known;
    }
    if (alt.kind === 'sequence') return containsSequence(this.sequence, alt.stems) ? 1 : 0;
    let credit = 1;
    for (const id of alt.words) credit = Math.min(credit, this.wordCredit(id));
    return credit;
  }

  private wordCredit(id: number): number {
    const known = this.wordCredits[id] ?? -1;
    if (known >= 0) return known;
    const keyword = this.compiled.vocabulary[id];
    let credit = 0;
    if (keyword !== undefined) {
      if (this.stems.has(keyword.stem)) credit = 1;
      else if (keyword.surface.length >= 4 && this.typoCandidates.some((typed) => isTypoOf(typed, keyword))) {
        credit = TYPO_CREDIT;
      }
    }
    this.wordCredits[id] = credit;
    return credit;
  }
}

const MISSED: Omit<PhraseResult, 'general'> = { coverage: 0, words: 0, specificity: 0, score: 0 };

function evaluate(phrase: CompiledPhrase, message: Message): PhraseResult {
  const total = phrase.groups.length;
  // Credit still missing before the phrase can no longer reach MIN_SCORE; past it, the rest need not be read.
  let slack = total * (1 - MIN_SCORE);
  let matched = 0;
  let words = 0;
  let credits = 0;
  let specificity = 0;
  for (const group of phrase.groups) {
    let best = 0;
    let bestRarity = 0;
    let bestSize = 0;
    for (const alt of group) {
      const credit = message.credit(alt);
      const altRarity = alt.rarity * credit;
      if (credit > best || (credit === best && credit > 0 && altRarity > bestRarity)) {
        best = credit;
        bestRarity = altRarity;
        bestSize = alt.size;
      }
    }
    if (best > 0) matched += 1;
    else if (phrase.requireAll) return { general: phrase.general, ...MISSED };
    slack -= 1 - best;
    if (slack < -1e-9) return { general: phrase.general, ...MISSED };
    words += bestSize;
    credits += best;
    specificity += bestRarity;
  }
  return { general: phrase.general, coverage: matched / total, words, specificity, score: credits / total };
}

/**
 * The best intent for what the person typed, or undefined when nothing is close enough.
 * The list is compiled on first use and cached by identity: pass a new array, not a mutated one, when it changes.
 */
export function matchIntent(text: string, intents: readonly IntentDefinition[]): IntentMatch | undefined {
  if (typeof text !== 'string' || text.trim() === '' || intents.length === 0) return undefined;
  let compiled = compiledLists.get(intents);
  if (compiled === undefined) {
    compiled = compile(intents);
    compiledLists.set(intents, compiled);
  }
  const message = new Message(text, compiled);
  // "hello", "hi there": every phrase needs a keyword, so none can match.
  if (!message.hasContent && !compiled.fillerOnlySequence) return undefined;
  let best: { id: string; result: PhraseResult } | undefined;
  for (const intent of compiled.intents) {
    for (const phrase of intent.phrases) {
      const result = evaluate(phrase, message);
      if (result.score >= MIN_SCORE && isBetter(result, best?.result)) best = { id: intent.id, result };
    }
  }
  return best && { id: best.id, score: Math.min(1, best.result.score) };
}
