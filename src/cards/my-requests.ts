import type { Strings } from '../content/strings/index.js';
import { format } from '../content/strings/index.js';
import type { ResetRequest } from '../domain/requests/request.js';
import { renderCard, type AdaptiveCard } from './render-card.js';
import { Verbs } from './verbs.js';

/** The states in which the requester may still withdraw a request (the domain refuses the rest). */
const CANCELLABLE_STATES: ReadonlySet<string> = new Set([
  'submitted',
  'awaiting_manager',
  'pending_review',
  'approved',
]);

/** Data of `cards/my-requests.json`. */
export interface MyRequestsCardData {
  title: string;
  none: string;
  cancel: string;
  cancelVerb: string;
  requests: Array<{ id: string; reference: string; state: string; detail: string; cancellable: boolean }>;
}

/** One line of the list: the request and, when it is someone else's account, their name. */
export interface ListedRequest {
  request: ResetRequest;
  subjectName: string | undefined;
}

/** A person's requests, newest first, with their state and when they were sent. */
export function renderMyRequestsCard(
  strings: Strings,
  listed: readonly ListedRequest[],
  formatDate: (date: Date) => string,
): AdaptiveCard {
  const r = strings.requests;
  const data: MyRequestsCardData = {
    title: r.title,
    none: r.none,
    cancel: strings.approval.cancel,
    cancelVerb: Verbs.requestCancel,
    requests: listed.map(({ request, subjectName }) => ({
      id: request.id,
      cancellable: CANCELLABLE_STATES.has(request.state),
      reference: request.reference,
      state: r.states[request.state],
      detail: [
        format(r.filed, { date: formatDate(request.createdAt) }),
        ...(subjectName ? [format(r.forSomeone, { name: subjectName })] : []),
      ].join(' · '),
    })),
  };
  return renderCard('my-requests', data);
}
