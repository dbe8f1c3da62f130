import { renderCard, type AdaptiveCard } from './render-card.js';

/** Data of `cards/notice.json`: a heading and one paragraph of plain text. */
export interface NoticeCardData {
  title: string;
  body: string;
  tone: 'default' | 'warning';
  /** One button about a request, e.g. "This was not me" under a reset notice. */
  action?: { title: string; verb: string; requestId: string } | null;
}

/** A short card with a heading and a paragraph, for answers, refusals and errors. */
export function renderNoticeCard(data: NoticeCardData): AdaptiveCard {
  return renderCard('notice', { action: null, ...data });
}
