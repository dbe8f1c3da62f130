import { readFileSync } from 'node:fs';
import { Template } from 'adaptivecards-templating';
import { CardTemplateError } from '../errors.js';
import { projectPath } from '../project-root.js';

/** An expanded Adaptive Card, ready to attach to an activity or return from an invoke. */
export interface AdaptiveCard {
  type: 'AdaptiveCard';
  version: string;
  body: unknown[];
  actions?: unknown[];
  [property: string]: unknown;
}

/** The names of the templates in `cards/`, one file each. */
export type CardName =
  | 'welcome'
  | 'notice'
  | 'diagnosis-question'
  | 'diagnosis-outcome'
  | 'symptoms'
  | 'application'
  | 'application-subject'
  | 'request-status'
  | 'queue'
  | 'statistics'
  | 'diagnosis-record'
  | 'overdue-notice'
  | 'review'
  | 'manager-confirmation'
  | 'info-request'
  | 'pass';

export const CARD_NAMES: readonly CardName[] = [
  'welcome',
  'notice',
  'diagnosis-question',
  'diagnosis-outcome',
  'symptoms',
  'application',
  'application-subject',
  'request-status',
  'queue',
  'statistics',
  'diagnosis-record',
  'overdue-notice',
  'review',
  'manager-confirmation',
  'info-request',
  'pass',
];

/** A template, parsed once, and the names its expressions read other than as text (see `structuralNames`). */
interface Prepared {
  template: Template;
  structural: ReadonlySet<string> | 'all';
}

const prepared = new Map<CardName, Prepared>();

/** The raw template JSON of a card, as stored in `cards/<name>.json`. */
export function readCardTemplate(name: CardName): unknown {
  return JSON.parse(readFileSync(projectPath('cards', `${name}.json`), 'utf8'));
}

/**
 * An expression that reads a value only as text: a path, its negation, or a test for null. A text put in its place
 * expands the same way whatever the text is, as long as it is not empty (an empty text is kept as it is).
 */
const TEXT_ONLY = /^\s*!?\s*[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*\s*([!=]=\s*null\s*)?$/;
/** Names in an expression: of paths, functions and literals alike (the latter two only make the set larger). */
const NAMES = /[A-Za-z_$][\w$]*/g;

/**
 * The names of data fields that a template's expressions read other than as text (compared, counted, passed to a
 * function): the texts under a field of one of these names are kept as they are in the data a card is cached by.
 * `all` when an expression reads the data of an item or the root as a whole, which could be a text: then every text
 * is kept.
 */
export function structuralNames(template: unknown): ReadonlySet<string> | 'all' {
  const names = new Set<string>();
  let all = false;
  const visit = (value: unknown) => {
    if (typeof value === 'string') {
      for (const [, expression] of value.matchAll(/\$\{([^}]*)\}/g)) {
        if (TEXT_ONLY.test(expression!)) continue;
        // Quoted literals hold no names of fields.
        for (const [name] of expression!.replace(/'[^']*'|"[^"]*"/g, '').matchAll(NAMES)) {
          if (name === '$data' || name === '$root') all = true;
          names.add(name);
        }
      }
    } else if (Array.isArray(value)) {
      value.forEach(visit);
    } else if (typeof value === 'object' && value !== null) {
      Object.values(value).forEach(visit);
    }
  };
  visit(template);
  return all ? 'all' : names;
}

/** Cards kept by a key, most recently used last, within a budget of characters (of keys and of cards' JSON). */
class CardCache {
  private readonly entries = new Map<string, CachedCard>();
  private characters = 0;

  constructor(private readonly limit: number) {}

  get(key: string): CachedCard | undefined {
    const entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry;
  }

  /**
   * Keeps `card` (of about `size` characters of JSON) under `key`, making way by forgetting the least recently used;
   * one larger than the budget is not kept.
   */
  keep(key: string, card: AdaptiveCard, size: number = JSON.stringify(card).length): CachedCard {
    const entry: CachedCard = { card, characters: key.length + size };
    if (entry.characters > this.limit) return entry;
    this.characters += entry.characters;
    for (const [oldest, { characters }] of this.entries) {
      if (this.characters <= this.limit) break;
      this.entries.delete(oldest);
      this.characters -= characters;
    }
    this.entries.set(key, entry);
    return entry;
  }

  size(): { entries: number; characters: number; limit: number } {
    return { entries: this.entries.size, characters: this.characters, limit: this.limit };
  }
}

interface CachedCard {
  card: AdaptiveCard;
  characters: number;
  /** Where the texts or the stand-ins go, found once (per set of stand-ins). */
  slots?: { key: string; paths: readonly Path[]; pattern: RegExp };
}

/**
 * Cards by template and data: the same card is asked for again and again (a welcome, a question of the diagnosis to
 * everyone who meets it). At most 1 MB of characters: shapes and data that never come again (a queue or
 * statistics card whose numbers moved) are large, and a bound in entries alone let them fill tens of MB.
 */
const byData = new CardCache(1_000_000);
/**
 * Cards by template and shape: expansion evaluates every binding and costs more than the rest of a turn, while a
 * card of one kind comes in few shapes. The shape of the data is the data with each text a token for its place
 * (`\uE000n\uE001`); texts that an expression reads other than as text (`structuralNames`), empty texts, numbers,
 * booleans and nulls stay in it. The texts are put back in a copy, so a request's card is expanded once for every
 * request in the same state.
 */
const byShape = new CardCache(1_000_000);
/** Cards drawn once for their data (a request's card, once per version): kept by shape alone. */
const DRAWN_ONCE: ReadonlySet<CardName> = new Set(['review']);

/** What the caches hold now, together: entries, and their characters against their budgets. */
export function cardCacheSize(): { entries: number; characters: number; limit: number } {
  const [data, shape] = [byData.size(), byShape.size()];
  return {
    entries: data.entries + shape.entries,
    characters: data.characters + shape.characters,
    limit: data.limit + shape.limit,
  };
}

/** A text of the data, as the shape holds it. */
const token = (index: number) => `\uE000${index}\uE001`;
const TOKEN_MARK = '\uE000';
const TOKENS = /\uE000(\d+)\uE001/g;

/**
 * When set (by the test suite), every card drawn is compared with the card expanded from its own data, and a
 * difference throws: a template whose expressions a shape does not expand faithfully fails every test that draws it.
 */
let verifyShapes = false;
export function verifyCardShapes(enabled: boolean): void {
  verifyShapes = enabled;
}

/**
 * Expands a template with its data. Data is substituted, never evaluated, so text that users
 * typed (`${...}`, markdown) stays literal. The card is frozen and may be shared, or a copy that shares with a frozen
 * card everything but the objects on the way to a stand-in: read it, build a new object to change it.
 *
 * `fill` is for a value that differs on every card of a kind (a diagnosis id, a pass): the data carries a stand-in
 * (a fixed GUID) in its place, so that the card is shared and what the stand-in stands for is never cached, and the
 * stand-in is replaced in a copy.
 */
export function renderCard(name: CardName, data: object, fill: Readonly<Record<string, string>> = {}): AdaptiveCard {
  const key = DRAWN_ONCE.has(name) ? undefined : `${name}\u0000${JSON.stringify(data)}`;
  let entry = key === undefined ? undefined : byData.get(key);
  if (entry === undefined) {
    const drawn = drawnFromShape(name, data, key !== undefined);
    entry = key === undefined ? { card: drawn.card, characters: 0 } : byData.keep(key, drawn.card, drawn.size);
  }
  const standIns = Object.keys(fill);
  let card = entry.card;
  if (standIns.length > 0) {
    const slotKey = standIns.join('\u0000');
    if (entry.slots?.key !== slotKey) {
      entry.slots = {
        key: slotKey,
        paths: pathsTo(entry.card, (text) => standIns.some((standIn) => text.includes(standIn))),
        pattern: new RegExp(standIns.map(escapeForPattern).join('|'), 'g'),
      };
    }
    card = filledIn(entry.card, entry.slots, (match) => fill[match]!);
  }
  if (verifyShapes) verifyShape(name, data, fill, card);
  return card;
}

/**
 * The card of `data`, expanded once per shape, its texts put back in a copy (frozen too when it is to be `shared`),
 * and about how many characters of JSON it has.
 */
function drawnFromShape(name: CardName, data: object, shared: boolean): { card: AdaptiveCard; size: number } {
  const { structural } = preparedFor(name);
  const texts: string[] = [];
  const shape = shapeOf(data, structural === 'all' ? undefined : structural, texts, structural === 'all');
  const key = `${name}\u0000${JSON.stringify(shape)}`;
  const entry = byShape.get(key) ?? byShape.keep(key, deepFreeze(expand(name, shape as object)));
  const size = entry.characters - key.length + texts.reduce((sum, text) => sum + text.length, 0);
  if (texts.length === 0) return { card: entry.card, size };
  entry.slots ??= { key: '', paths: pathsTo(entry.card, (text) => text.includes(TOKEN_MARK)), pattern: TOKENS };
  const card = filledIn(entry.card, entry.slots, (_match, index) => texts[Number(index)]!);
  return { card: shared ? deepFreeze(card) : card, size };
}

function preparedFor(name: CardName): Prepared {
  let known = prepared.get(name);
  if (!known) {
    const raw = readCardTemplate(name);
    known = { template: new Template(raw), structural: structuralNames(raw) };
    prepared.set(name, known);
  }
  return known;
}

/** `value` with each text that may become a token pushed to `texts` and replaced by its token. */
function shapeOf(value: unknown, structural: ReadonlySet<string> | undefined, texts: string[], kept: boolean): unknown {
  if (typeof value === 'string') {
    if (kept || value === '') return value;
    texts.push(value);
    return token(texts.length - 1);
  }
  if (Array.isArray(value)) return value.map((item) => shapeOf(item, structural, texts, kept));
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    const shaped: Record<string, unknown> = {};
    for (const [field, item] of Object.entries(value)) {
      shaped[field] = shapeOf(item, structural, texts, kept || structural === undefined || structural.has(field));
    }
    return shaped;
  }
  return value;
}

/** The keys that lead from a card to one of its strings. */
type Path = ReadonlyArray<string | number>;

const escapeForPattern = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The strings of `card` that `holds` says something goes into. */
function pathsTo(card: unknown, holds: (text: string) => boolean): Path[] {
  const paths: Path[] = [];
  const visit = (value: unknown, path: Array<string | number>) => {
    if (typeof value === 'string') {
      if (holds(value)) paths.push([...path]);
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => visit(item, [...path, index]));
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, item] of Object.entries(value)) visit(item, [...path, key]);
    }
  };
  visit(card, []);
  return paths;
}

/**
 * `card` with what `pattern` matches in the strings at `paths` replaced, in one pass over each string (what goes in
 * is never read again, so a text that holds a token or a stand-in stays as typed): the objects and arrays on the way
 * to such a string are fresh copies, everything else is shared with the frozen card.
 */
function filledIn(
  card: AdaptiveCard,
  { paths, pattern }: { paths: readonly Path[]; pattern: RegExp },
  replace: (match: string, index: string | undefined) => string,
): AdaptiveCard {
  const copies = new Map<object, Record<string | number, unknown>>();
  const copyOf = (original: object) => {
    let copy = copies.get(original);
    if (!copy) {
      copy = (Array.isArray(original) ? [...original] : { ...original }) as Record<string | number, unknown>;
      copies.set(original, copy);
    }
    return copy;
  };
  const root = copyOf(card);
  for (const path of paths) {
    let original = card as unknown as Record<string | number, unknown>;
    let copy = root;
    for (const key of path.slice(0, -1)) {
      original = original[key] as Record<string | number, unknown>;
      const next = copyOf(original);
      copy[key] = next;
      copy = next;
    }
    const last = path.at(-1)!;
    copy[last] = (original[last] as string).replace(pattern, replace);
  }
  return root as unknown as AdaptiveCard;
}

/** Throws when `card`, drawn from a shape, differs from the card expanded from `data` itself. */
function verifyShape(name: CardName, data: object, fill: Readonly<Record<string, string>>, card: AdaptiveCard): void {
  let direct = JSON.stringify(expand(name, data));
  for (const [standIn, value] of Object.entries(fill))
    direct = direct.replaceAll(standIn, () => JSON.stringify(value).slice(1, -1));
  if (JSON.stringify(card) !== direct) {
    throw new CardTemplateError(
      name,
      'the card drawn from its cached shape differs from the card expanded from its data',
    );
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/**
 * `card` with one bold line on top, saying what just happened to the person looking at it; the rest of the card is
 * the one everyone sees. The line sits on a tinted band (amber for a warning) in the default text colour, which
 * reads well in every theme; the text is a TextRun, so it is shown as typed.
 */
export function withBanner(card: AdaptiveCard, banner: { text: string; tone: 'warning' | 'default' }): AdaptiveCard {
  const band = {
    type: 'Container',
    style: banner.tone === 'warning' ? 'warning' : 'emphasis',
    items: [{ type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: banner.text, weight: 'Bolder' }] }],
  };
  return { ...card, body: [band, ...card.body] };
}

function expand(name: CardName, data: object): AdaptiveCard {
  const card = preparedFor(name).template.expand({ $root: data }) as AdaptiveCard;
  if (card?.type !== 'AdaptiveCard') throw new CardTemplateError(name, 'expansion did not produce an AdaptiveCard');
  return card;
}
