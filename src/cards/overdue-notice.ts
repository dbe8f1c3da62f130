import { renderCard, type AdaptiveCard } from './render-card.js';
import { Verbs } from './verbs.js';

/** Data of `cards/overdue-notice.json`. */
export interface OverdueNoticeCardData {
  title: string;
  body: string;
  link: string | null;
  openInChannel: string;
  details: { title: string; verb: string; requestId: string } | null;
}

/** What an overdue notice says and, for a lead, where it leads. */
export interface OverdueNoticeView {
  title: string;
  body: string;
  /** The request's card in the approval channel, when the reader is not already there. */
  link: { url: string; title: string } | undefined;
  /** A button for the request's timeline, for a reader outside the channel. */
  details: { title: string; requestId: string } | undefined;
}

/** A request waits too long for review: the reply under its card in the channel, or the lead's notice. */
export function renderOverdueNoticeCard(view: OverdueNoticeView): AdaptiveCard {
  const data: OverdueNoticeCardData = {
    title: view.title,
    body: view.body,
    link: view.link?.url ?? null,
    openInChannel: view.link?.title ?? '',
    details: view.details ? { ...view.details, verb: Verbs.statusShow } : null,
  };
  return renderCard('overdue-notice', data);
}
