import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { renderGuideCard } from '../../src/cards/guide.js';
import { renderNoticeCard } from '../../src/cards/notice.js';
import { CARD_NAMES, readCardTemplate, type AdaptiveCard } from '../../src/cards/render-card.js';
import { renderWelcomeCard } from '../../src/cards/welcome.js';
import { stringsFor } from '../../src/content/strings/index.js';
import { LOCALES } from '../../src/domain/locale.js';

// adaptivecards' ESM entry does not load in Node; its UMD bundle does (PLATFORM.md).
const require = createRequire(import.meta.url);
const AC = require('adaptivecards/dist/adaptivecards.js');

/** Parses a card the way a client does and returns every warning or error it reports. */
function parseProblems(card: unknown): string[] {
  const parsed = new AC.AdaptiveCard();
  const context = new AC.SerializationContext();
  parsed.parse(card, context);
  const problems: string[] = [];
  for (let i = 0; i < context.eventCount; i++) problems.push(context.getEventAt(i).message);
  const validation = parsed.validateProperties();
  for (const event of validation.validationEvents) problems.push(event.message);
  return problems;
}

/** Every object in a card tree. */
function walk(node: unknown, visit: (object: Record<string, any>) => void): void {
  if (Array.isArray(node)) node.forEach((item) => walk(item, visit));
  else if (node && typeof node === 'object') {
    visit(node as Record<string, any>);
    Object.values(node).forEach((value) => walk(value, visit));
  }
}

/** Every card the bot can render, in every language, with optional parts present and absent. */
function allRenderedCards(): Array<[string, AdaptiveCard]> {
  return LOCALES.flatMap((locale) => {
    const strings = stringsFor(locale);
    return [
      [`welcome (${locale})`, renderWelcomeCard(strings, { name: 'Alex', returning: false })],
      [`welcome without a name (${locale})`, renderWelcomeCard(strings, { name: undefined, returning: false })],
      [`help (${locale})`, renderWelcomeCard(strings, { name: 'Alex', returning: true }, true)],
      [
        `guide (${locale})`,
        renderGuideCard({
          title: 't',
          intro: 'i',
          steps: strings.firstSteps.steps,
          links: [{ title: 'l', url: 'https://example.com/' }],
        }),
      ],
      [`guide without links (${locale})`, renderGuideCard({ title: 't', intro: 'i', steps: ['one'], links: [] })],
      [`notice (${locale})`, renderNoticeCard({ title: 't', body: strings.refusals.missingIdentity, tone: 'warning' })],
    ] as Array<[string, AdaptiveCard]>;
  });
}

describe('card templates', () => {
  it.each(CARD_NAMES)('cards/%s.json is an Adaptive Card 1.5 template', (name) => {
    const template = readCardTemplate(name) as Record<string, unknown>;
    expect(template.type).toBe('AdaptiveCard');
    expect(template.version).toBe('1.5');
  });

  it.each(allRenderedCards())('%s parses without warnings', (_name, card) => {
    expect(parseProblems(card)).toEqual([]);
  });

  it.each(allRenderedCards())('%s gives every Action.Execute a verb and keeps input ids unique', (_name, card) => {
    const inputIds: string[] = [];
    walk(card, (object) => {
      if (object.type === 'Action.Execute') expect(object.verb, JSON.stringify(object)).toMatch(/^[a-z]+\.[a-z]+$/);
      if (typeof object.type === 'string' && object.type.startsWith('Input.')) inputIds.push(object.id);
    });
    expect(new Set(inputIds).size).toBe(inputIds.length);
  });

  it.each(allRenderedCards())('%s has no unexpanded template expression left', (_name, card) => {
    expect(JSON.stringify(card)).not.toMatch(/\$\{|"\$data"|"\$when"/);
  });

  it('the parse check catches a broken card, so the checks above mean something', () => {
    expect(
      parseProblems({ type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock' }, { type: 'NoSuchElement' }] }),
    ).not.toEqual([]);
  });

  it('renders user text literally: markdown links and template expressions stay text', () => {
    const card = renderNoticeCard({
      title: 'Note',
      body: '[x](https://evil.example) ${1+1} ${$root}',
      tone: 'default',
    });
    expect(card.body[1]).toEqual({
      type: 'RichTextBlock',
      inlines: [{ type: 'TextRun', text: '[x](https://evil.example) ${1+1} ${$root}' }],
    });
  });

  it('matches the welcome card snapshot', () => {
    expect(renderWelcomeCard(stringsFor('en'), { name: 'Alex', returning: false })).toMatchSnapshot();
  });

  it('matches the help card snapshot in Japanese', () => {
    expect(renderWelcomeCard(stringsFor('ja'), { name: undefined, returning: false }, true)).toMatchSnapshot();
  });
});
