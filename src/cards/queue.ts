import { format } from '../content/strings/index.js';
import type { ChannelPost } from '../domain/requests/ports.js';
import type { QueueGroup } from '../domain/requests/queue.js';
import type { RequestSummary } from '../domain/requests/status-service.js';
import { formatAge } from './format-time.js';
import { renderCard, type AdaptiveCard } from './render-card.js';
import { nameIn, type ViewerContext } from './request-status.js';
import { Verbs } from './verbs.js';

/** Data of `cards/queue.json`. */
export interface QueueCardData {
  title: string;
  summary: string;
  openInChannel: string;
  details: string;
  detailsVerb: string;
  sections: Array<{
    heading: string;
    color: 'Attention' | 'Default';
    more: string | null;
    items: Array<{ id: string; heading: string; lines: string[]; overdue: string | null; link: string | null }>;
  }>;
}

/** The queue as the status service returns it. */
export interface QueueView {
  sections: ReadonlyArray<{ group: QueueGroup; count: number; requests: readonly RequestSummary[] }>;
  /** A link to each request's card in the approval channel, by request id, where it has one. */
  links: ReadonlyMap<string, string>;
}

/**
 * The helpdesk queue: open requests by section, oldest first, each with its age, claimer, an
 * overdue mark, a link to its card in the approval channel and a button for its timeline.
 */
export function renderQueueCard(viewer: ViewerContext, view: QueueView): AdaptiveCard {
  const q = viewer.strings.queue;
  const total = view.sections.reduce((sum, section) => sum + section.count, 0);
  const data: QueueCardData = {
    title: q.title,
    summary: total === 0 ? q.empty : format(q.summary, { count: String(total) }),
    openInChannel: q.openInChannel,
    details: q.details,
    detailsVerb: Verbs.statusShow,
    sections: view.sections
      .filter((section) => section.count > 0)
      .map((section) => ({
        heading: format(q.sectionHeading, { section: q.sections[section.group], count: String(section.count) }),
        color: section.group === 'needsAttention' ? 'Attention' : 'Default',
        more:
          section.count > section.requests.length
            ? format(q.more, { count: String(section.count - section.requests.length) })
            : null,
        items: section.requests.map((request) => ({
          id: request.id,
          heading: `${request.reference} · ${nameIn(viewer, request.subjectId)}`,
          lines: [
            format(q.line, { age: formatAge(viewer.strings, request.createdAt, viewer.now) }),
            ...(request.handlerId
              ? [
                  format(section.group === 'claimed' ? q.claimedBy : viewer.strings.status.handledBy, {
                    name: nameIn(viewer, request.handlerId),
                  }),
                ]
              : []),
          ],
          overdue: request.overdue ? ` · ${q.overdue}` : null,
          link: view.links.get(request.id) ?? null,
        })),
      })),
  };
  return renderCard('queue', data);
}

/**
 * A Teams link that opens a request's card (the first message of its thread) in the approval
 * channel. Teams needs the channel, the message and the tenant; the team's group id is optional.
 */
export function channelMessageLink(post: ChannelPost): string {
  const query = new URLSearchParams({
    tenantId: post.tenantId,
    parentMessageId: post.messageId,
    createdTime: post.messageId,
  });
  return `https://teams.microsoft.com/l/message/${encodeURIComponent(post.channelId)}/${encodeURIComponent(post.messageId)}?${query.toString()}`;
}
