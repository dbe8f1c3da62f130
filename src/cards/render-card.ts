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

const templates = new Map<CardName, Template>();

/** The raw template JSON of a card, as stored in `cards/<name>.json`. */
export function readCardTemplate(name: CardName): unknown {
  return JSON.parse(readFileSync(projectPath('cards', `${name}.json`), 'utf8'));
}

/**
 * Expanded cards by template and data, most recently used last. Expansion evaluates every binding and costs more
 * than the rest of a turn; the same card (a welcome, a help card, a request's card for its clicker and for the
 * channel) is asked for again and again. Cached cards are frozen and shared: build a new object to change one.
 */
const expanded = new Map<string, { card: AdaptiveCard; slots?: { standIns: string; paths: readonly Path[] } }>();
const EXPANDED_CAPACITY = 500;
/**
 * Cards never kept here: a request's review card is drawn once per version of the request (the publisher keeps it for
 * the click's answer and the channel's update), so keeping it only holds large cards that are not asked for again.
 */
const DRAWN_ONCE: ReadonlySet<CardName> = new Set(['review']);

/**
 * Expands a template with its data. Data is substituted, never evaluated, so text that users
 * typed (`${...}`, markdown) stays literal. The card is frozen and may be shared.
 *
 * `fill` is for a value that differs on every card of a kind (a diagnosis id): the data carries a
 * stand-in (a fixed GUID) in its place, so the expansion is shared, and the stand-in is replaced in
 * a copy. The copy shares with the frozen card everything but the objects on the way to a stand-in: read it, build a
 * new object to change it.
 */
export function renderCard(name: CardName, data: object, fill: Readonly<Record<string, string>> = {}): AdaptiveCard {
  if (DRAWN_ONCE.has(name) && Object.keys(fill).length === 0) return deepFreeze(expand(name, data));
  const key = `${name}\u0000${JSON.stringify(data)}`;
  let entry = expanded.get(key);
  if (entry === undefined) {
    entry = { card: deepFreeze(expand(name, data)) };
    if (expanded.size >= EXPANDED_CAPACITY) expanded.delete(expanded.keys().next().value!);
  } else {
    expanded.delete(key);
  }
  expanded.set(key, entry);
  const fills = Object.entries(fill);
  if (fills.length === 0) return entry.card;
  // Where the stand-ins sit, found once per card: each copy then only copies the objects on the way to them.
  const standIns = fills.map(([standIn]) => standIn);
  if (entry.slots?.standIns !== standIns.join('\u0000')) {
    entry.slots = { standIns: standIns.join('\u0000'), paths: pathsTo(entry.card, standIns) };
  }
  return filledIn(entry.card, entry.slots.paths, fills) as AdaptiveCard;
}

/** The keys that lead from a card to one of its strings. */
type Path = ReadonlyArray<string | number>;

/** The strings of `card` that hold one of `standIns`. */
function pathsTo(card: unknown, standIns: readonly string[]): Path[] {
  const paths: Path[] = [];
  const visit = (value: unknown, path: Array<string | number>) => {
    if (typeof value === 'string') {
      if (standIns.some((standIn) => value.includes(standIn))) paths.push([...path]);
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
 * `card` with the stand-ins in the strings at `paths` replaced by their values: the objects and arrays on the way to
 * such a string are fresh copies, everything else is shared with the frozen card. A value is taken literally (`$&`
 * is no pattern).
 */
function filledIn(card: object, paths: readonly Path[], fills: ReadonlyArray<[string, string]>): unknown {
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
    let original = card as Record<string | number, unknown>;
    let copy = root;
    for (const key of path.slice(0, -1)) {
      original = original[key] as Record<string | number, unknown>;
      const next = copyOf(original);
      copy[key] = next;
      copy = next;
    }
    const last = path.at(-1)!;
    let text = original[last] as string;
    for (const [standIn, value] of fills) text = text.replaceAll(standIn, () => value);
    copy[last] = text;
  }
  return root;
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
  let template = templates.get(name);
  if (!template) {
    template = new Template(readCardTemplate(name));
    templates.set(name, template);
  }
  const card = template.expand({ $root: data }) as AdaptiveCard;
  if (card?.type !== 'AdaptiveCard') throw new CardTemplateError(name, 'expansion did not produce an AdaptiveCard');
  return card;
}
