import type { Clock } from '../ports.js';
import type { RequestRepository } from './ports.js';
import type { ResetRequest } from './request.js';
import type { Actor, RequestNotifier } from './review-service.js';

/** What "This was not me" did. */
export type DisputeResult =
  | { kind: 'reported'; request: ResetRequest }
  | { kind: 'alreadyReported'; request: ResetRequest }
  | { kind: 'refused'; refusal: 'tamperedCard' | 'unknownRequest' | 'notSubject'; request: ResetRequest | undefined };

/** The audit reason of a report, which also tells that one was made. */
const REPORTED = 'reported by the subject as not asked for';

/**
 * The person whose methods were reset says they did not ask for it. Only they can say so (the
 * notice that offers it goes to their own chat, which whoever filed for them cannot read); the
 * report is kept in the audit trail, and the helpdesk is told at once. The reset itself stands:
 * undoing it would give back methods that may be in someone else's hands.
 */
export class Disputes {
  constructor(private readonly options: { repository: RequestRepository; notifier: RequestNotifier; clock: Clock }) {}

  async report(actor: Actor, requestId: unknown): Promise<DisputeResult> {
    const { repository, notifier, clock } = this.options;
    if (typeof requestId !== 'string' || requestId === '') {
      return { kind: 'refused', refusal: 'tamperedCard', request: undefined };
    }
    const request = await repository.find(requestId);
    if (!request || request.tenantId !== actor.tenantId) {
      return { kind: 'refused', refusal: 'unknownRequest', request: undefined };
    }
    const event = { requestId: request.id, tenantId: request.tenantId, actor: actor.userId, at: clock.now() };
    if (request.application.subjectId !== actor.userId) {
      await repository.appendEvent({
        ...event,
        from: request.state,
        to: 'refused',
        reason: 'refused report: notSubject',
      });
      return { kind: 'refused', refusal: 'notSubject', request };
    }
    const events = await repository.eventsOf(request.id);
    if (events.some((earlier) => earlier.reason === REPORTED)) return { kind: 'alreadyReported', request };
    await repository.appendEvent({ ...event, from: request.state, to: request.state, reason: REPORTED });
    notifier.announce(request, { kind: 'disputed' });
    return { kind: 'reported', request };
  }
}
