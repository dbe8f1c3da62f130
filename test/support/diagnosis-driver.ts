import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { stringsFor } from '../../src/content/strings/index.js';
import type { OutcomeCategory } from '../../src/domain/diagnosis/knowledge.js';
import type { Locale } from '../../src/domain/locale.js';
import { cardAction, cardSubmit, personalMessage, tenant, type Sender } from './activities.js';
import type { HttpResult } from './bot-harness.js';
import type { BotUnderTest } from './use-bot.js';

/** An outcome of content/diagnosis.json, as the cards should show it. */
export interface KnowledgeOutcome {
  id: string;
  category: OutcomeCategory;
  title: Record<Locale, string>;
}

/** A question of content/diagnosis.json. */
export interface KnowledgeQuestion {
  id: string;
  prompt: Record<Locale, string>;
  choices: Array<{ id: string; label: Record<Locale, string> }>;
}

const knowledge = JSON.parse(readFileSync(new URL('../../content/diagnosis.json', import.meta.url), 'utf8')) as {
  nodes: Array<
    { kind: string; id: string } & Partial<Pick<KnowledgeOutcome, 'category' | 'title'> & KnowledgeQuestion>
  >;
};

/** The outcome `id` of the diagnosis knowledge; throws when the knowledge has no such outcome. */
export function knowledgeOutcome(id: string): KnowledgeOutcome {
  const node = knowledge.nodes.find((candidate) => candidate.id === id && candidate.kind === 'outcome');
  if (!node?.category || !node.title) throw new Error(`content/diagnosis.json has no outcome "${id}"`);
  return { id, category: node.category, title: node.title };
}

/** The question `id` of the diagnosis knowledge; throws when the knowledge has no such question. */
export function knowledgeQuestion(id: string): KnowledgeQuestion {
  const node = knowledge.nodes.find((candidate) => candidate.id === id && candidate.kind === 'question');
  if (!node?.prompt || !node.choices) throw new Error(`content/diagnosis.json has no question "${id}"`);
  return { id, prompt: node.prompt, choices: node.choices };
}

/** A demo user by the part of their user principal name before the @. */
export function demoUser(alias: string): Sender {
  const user = tenant.users.find((candidate) => candidate.userPrincipalName.split('@')[0] === alias);
  if (!user) throw new Error(`no demo user ${alias}`);
  return { id: user.id, displayName: user.displayName };
}

/** All text of a card, flattened, for asserting on what a person would read. */
export const cardText = (card: unknown): string => JSON.stringify(card);

/** Titles of a card's buttons, in order. */
export const buttonTitles = (card: any): string[] => (card.actions ?? []).map((action: any) => action.title);

const questionTitles = new Set([stringsFor('en').diagnosis.title, stringsFor('ja').diagnosis.title]);

/** A diagnosis question card (its heading is the diagnosis title). */
export const isQuestionCard = (card: any): boolean => questionTitles.has(card?.body?.[0]?.text);

/** Every element of a card's body, containers included, depth first. */
export function elementsOf(card: any): any[] {
  const walk = (elements: any[]): any[] =>
    elements.flatMap((element) => [
      element,
      ...walk(element.items ?? []),
      ...walk((element.columns ?? []).flatMap((column: any) => column.items ?? [])),
    ]);
  return walk(card?.body ?? []);
}

/** What a question card asks: the label of its choice list, or its bold prompt. */
export const promptOf = (card: any): string | undefined => {
  const elements = elementsOf(card);
  const list = elements.find((element) => element.type === 'Input.ChoiceSet');
  if (list) return list.label;
  return elements.find((element) => element.type === 'RichTextBlock' && element.inlines?.[0]?.weight === 'Bolder')
    ?.inlines[0].text;
};

/** The choices a card offers, as `{ title, value }`: the items of its choice list, or its choice buttons. */
export const choicesOf = (card: any): Array<{ title: string; value: string }> => {
  const list = elementsOf(card).find((element) => element.type === 'Input.ChoiceSet');
  if (list) return list.choices;
  return (card.actions ?? [])
    .filter((action: any) => typeof action.data?.choice === 'string')
    .map((action: any) => ({ title: action.title, value: action.data.choice }));
};

/** The lines of a question card's "what I can see in the directory" box, or undefined without one. */
export const evidenceLinesOf = (card: any): string[] | undefined => {
  const box = elementsOf(card).find((element) => element.type === 'Container' && element.style === 'emphasis');
  return box?.items.slice(1).map((line: any) => line.inlines[0].text);
};

/** Whether a card still asks for anything: a button or an input. */
export const isActionable = (card: any): boolean =>
  (card.actions ?? []).length > 0 || elementsOf(card).some((element) => String(element.type).startsWith('Input.'));

/** What one click or message produced: the HTTP answer and the cards the bot sent meanwhile. */
export interface Step {
  response: HttpResult;
  cards: any[];
}

export interface WalkOptions {
  from: Sender;
  locale?: string;
  conversationId?: string;
}

/**
 * One person's conversation with a running bot: says things, reads the last card the bot sent
 * and clicks its buttons by title or choice id with the card's own data, the way Teams would.
 */
export class DiagnosisWalk {
  /** Every card the bot sent in this walk, in order. */
  readonly cards: any[] = [];
  /** Every HTTP answer the bot gave in this walk (invoke responses carry cards and notes). */
  readonly responses: HttpResult[] = [];
  readonly conversationId: string;

  constructor(
    private readonly ctx: BotUnderTest,
    private readonly options: WalkOptions,
  ) {
    this.conversationId = options.conversationId ?? `a:diagnosis-${randomUUID()}`;
  }

  /** Activity options for this person and conversation. */
  get activityOptions() {
    return {
      serviceUrl: this.ctx.connector.serviceUrl,
      from: this.options.from,
      locale: this.options.locale ?? 'en-US',
      conversationId: this.conversationId,
    };
  }

  /** The question cards sent so far: how many questions the person was asked. */
  get questions(): any[] {
    return this.cards.filter(isQuestionCard);
  }

  /** The id of the diagnosis the latest card with a diagnosis button belongs to. */
  get diagnosisId(): string {
    for (const card of [...this.cards].reverse()) {
      const id = (card.actions ?? []).find((action: any) => action.data?.diagnosisId)?.data.diagnosisId;
      if (typeof id === 'string') return id;
    }
    throw new Error('no card in this walk belongs to a diagnosis');
  }

  /** The last card the bot sent in this walk. */
  get last(): any {
    const card = this.cards.at(-1);
    if (!card) throw new Error('the bot has sent no card in this walk');
    return card;
  }

  /** Sends a text message. */
  say(text: string): Promise<Step> {
    return this.send(personalMessage(text, this.activityOptions));
  }

  /**
   * Picks `label` on the last card (or on `options.card`) the way a person would: presses the
   * button with that title or choice id, or picks the item with that title or value in the
   * card's choice list and presses the card's button. `inputs` are further input values.
   */
  click(
    label: string,
    options: { card?: any; via?: 'execute' | 'submit'; inputs?: Record<string, unknown> } = {},
  ): Promise<Step> {
    const card = options.card ?? this.last;
    const actions: any[] = card.actions ?? [];
    const button = actions.find((action) => action.title === label || action.data?.choice === label);
    if (button) return this.press(button, { ...options.inputs }, options.via);
    const list = elementsOf(card).find(
      (element) =>
        element.type === 'Input.ChoiceSet' &&
        element.choices.some((choice: any) => choice.title === label || choice.value === label),
    );
    if (list && actions[0]) {
      const picked = list.choices.find((choice: any) => choice.title === label || choice.value === label);
      return this.press(actions[0], { [list.id]: picked.value, ...options.inputs }, options.via);
    }
    throw new Error(
      `nothing to pick called "${label}" on the card; it offers ${JSON.stringify([...buttonTitles(card), ...choicesOf(card).map((c) => c.title)])}`,
    );
  }

  /** Presses a button of a card, sending its data merged with the card's input values, as Teams does. */
  private press(action: any, inputs: Record<string, unknown>, via: 'execute' | 'submit' = 'execute'): Promise<Step> {
    const { verb, ...data } = action.data as { verb: string } & Record<string, unknown>;
    return this.post(verb, { ...data, ...inputs }, via);
  }

  /** Posts a card action with data of the test's choosing (for tampered or stale clicks). */
  post(verb: string, data: Record<string, unknown>, via: 'execute' | 'submit' = 'execute'): Promise<Step> {
    const activity =
      via === 'execute' ? cardAction(verb, this.activityOptions, data) : cardSubmit(verb, this.activityOptions, data);
    return this.send(activity);
  }

  private async send(activity: unknown): Promise<Step> {
    const before = this.ctx.connector.sentCards().length;
    const response = await this.ctx.bot.post(activity);
    // A click is answered first; the card that follows it is sent after the answer.
    await this.ctx.bot.service.settle();
    const cards = this.ctx.connector.sentCards().slice(before);
    this.cards.push(...cards);
    this.responses.push(response);
    return { response, cards };
  }
}
