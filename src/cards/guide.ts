import { renderCard, type AdaptiveCard } from './render-card.js';

/** Data of `cards/guide.json`: numbered steps and links to open. */
export interface GuideCardData {
  title: string;
  intro: string;
  steps: readonly string[];
  links: ReadonlyArray<{ title: string; url: string }>;
}

/** A card of numbered steps with link buttons. */
export function renderGuideCard(data: GuideCardData): AdaptiveCard {
  return renderCard('guide', data);
}
