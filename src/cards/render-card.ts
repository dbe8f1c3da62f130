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
  | 'my-requests'
  | 'review'
  | 'manager-confirmation'
  | 'info-request';

export const CARD_NAMES: readonly CardName[] = [
  'welcome',
  'notice',
  'diagnosis-question',
  'diagnosis-outcome',
  'symptoms',
  'application',
  'application-subject',
  'my-requests',
  'review',
  'manager-confirmation',
  'info-request',
];

const templates = new Map<CardName, Template>();

/** The raw template JSON of a card, as stored in `cards/<name>.json`. */
export function readCardTemplate(name: CardName): unknown {
  return JSON.parse(readFileSync(projectPath('cards', `${name}.json`), 'utf8'));
}

/**
 * Expands a template with its data. Data is substituted, never evaluated, so text that users
 * typed (`${...}`, markdown) stays literal.
 */
export function renderCard(name: CardName, data: object): AdaptiveCard {
  let template = templates.get(name);
  if (!template) {
    template = new Template(readCardTemplate(name));
    templates.set(name, template);
  }
  const card = template.expand({ $root: data }) as AdaptiveCard;
  if (card?.type !== 'AdaptiveCard') throw new CardTemplateError(name, 'expansion did not produce an AdaptiveCard');
  return card;
}
