import type { Clock, Directory } from '../ports.js';
import type { OverdueNotice, OverdueNoticeRepository } from './ports.js';
import type { ResetRequest } from './request.js';

/** Sends the overdue notices; each call returns once the notice went out (or could not). */
export interface OverdueNotifier {
  /**
   * Reminds the approval channel: a reply under the request's card, and the card marked overdue.
   * False when the request has no card in a channel yet (it is tried again later).
   */
  remindChannel(request: ResetRequest): Promise<boolean>;
  /** Tells each of the leads in their 1:1 chat; how many were reached. */
  tellLeads(request: ResetRequest, leadIds: readonly string[]): Promise<number>;
}

/** What the service levels report to the log. */
export interface ServiceLevelReport {
  reminded: string[];
  escalated: string[];
  /** References that waited for a channel or whose leads could not be read. */
  deferred: string[];
  /** Escalations that reached no lead (none has a chat with the bot); they are not tried again. */
  unheard: string[];
}

export interface ServiceLevelsOptions {
  notices: OverdueNoticeRepository;
  notifier: OverdueNotifier;
  directory: Directory | undefined;
  clock: Clock;
  /** A request pending review longer than this gets the channel reminder; twice as long, the leads' notice. */
  reviewSlaMs: number;
  /** Whose members hear of requests past twice the service level; undefined: nobody. */
  leadGroupId: string | undefined;
  /** Who takes the notices (this instance), and for how long a taken notice is held before another may take it. */
  owner: string;
  leaseMs: number;
}

const BATCH = 50;

/**
 * The review service level: a request that waits in pending_review longer than REVIEW_SLA_HOURS
 * gets one reminder in the approval channel; past twice that, the helpdesk leads are told once.
 * Each notice is taken before it is sent and marked after, so among several instances and across
 * restarts it goes out once.
 */
export class ServiceLevels {
  constructor(private readonly options: ServiceLevelsOptions) {}

  async runOnce(): Promise<ServiceLevelReport> {
    const report: ServiceLevelReport = { reminded: [], escalated: [], deferred: [], unheard: [] };
    await this.send('reminder', 1, report, async (request) => {
      if (!(await this.options.notifier.remindChannel(request))) return 'deferred';
      report.reminded.push(request.reference);
      return 'sent';
    });
    const { leadGroupId, directory } = this.options;
    if (leadGroupId === undefined || !directory) return report;
    let leads: string[] | undefined;
    await this.send('escalation', 2, report, async (request) => {
      // The group is read once per run, when the first escalation is due.
      leads ??= (await directory.getGroupMembers(leadGroupId)).map((lead) => lead.id);
      const reached = await this.options.notifier.tellLeads(request, leads);
      (reached > 0 ? report.escalated : report.unheard).push(request.reference);
      return 'sent';
    });
    return report;
  }

  private async send(
    kind: OverdueNotice,
    multiple: number,
    report: ServiceLevelReport,
    deliver: (request: ResetRequest) => Promise<'sent' | 'deferred'>,
  ): Promise<void> {
    const { notices, clock, reviewSlaMs, owner, leaseMs } = this.options;
    const now = clock.now();
    const due = await notices.due(kind, new Date(now.getTime() - multiple * reviewSlaMs), now, BATCH);
    for (const request of due) {
      const taken = await notices.take(request.id, kind, owner, now, new Date(now.getTime() + leaseMs));
      if (!taken) continue;
      let outcome: 'sent' | 'deferred';
      try {
        outcome = await deliver(request);
      } catch {
        // Left taken: once the lease runs out, the next run tries again.
        outcome = 'deferred';
      }
      if (outcome === 'sent') await notices.markSent(request.id, kind, owner, clock.now());
      else report.deferred.push(request.reference);
    }
  }
}
