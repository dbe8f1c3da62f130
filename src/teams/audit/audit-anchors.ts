import { renderNoticeCard } from '../../cards/notice.js';
import type { AdaptiveCard } from '../../cards/render-card.js';
import { format, stringsFor } from '../../content/strings/index.js';
import { resolveLocale, type Locale } from '../../domain/locale.js';
import type { Clock } from '../../domain/ports.js';
import type { AnchorTrigger, ApprovalChannel, AuditHead, AuditTrailRepository } from '../../domain/requests/ports.js';
import type { Logger } from '../../logging/create-logger.js';
import type { TeamsMessenger } from '../proactive/messenger.js';

/** An anchor is due again this long after the last one; a little under a day, so that it is at least daily. */
export const DAILY_ANCHOR_MS = 23 * 3_600_000;

export interface AuditAnchorsOptions {
  trail: AuditTrailRepository;
  /** The tenant's approval channel (RequestPublisher.channelFor). */
  channelFor: (tenantId: string) => Promise<ApprovalChannel | undefined>;
  messenger: Pick<TeamsMessenger, 'postCard'>;
  clock: Clock;
  logger: Logger;
  defaultLocale: Locale;
}

/**
 * Publishes the audit trail's head (its latest sequence and hash) where whoever holds the database cannot
 * rewrite it: the log, and each tenant's approval channel as a small card. `audit:verify --anchor` later
 * shows whether the trail still holds it and whether events up to it are missing.
 */
export class AuditAnchors {
  constructor(private readonly options: AuditAnchorsOptions) {}

  /**
   * The daily anchor: logged once a day across instances, and posted in the channel of each of `tenants`
   * unless it had one in the last day or the trail has not moved since. Returns how many channels got one.
   */
  async publishDaily(tenants: readonly string[]): Promise<number> {
    const { trail, clock, logger } = this.options;
    const head = await trail.head();
    if (!head) return 0;
    const at = clock.now();
    const since = new Date(at.getTime() - DAILY_ANCHOR_MS);
    const anchor = (tenantId: string) => ({ ...head, tenantId, at, trigger: 'daily' as const, requestedBy: undefined });
    if (await trail.takeAnchor(anchor(''), since)) this.log(head, at, 'daily');
    let posted = 0;
    for (const tenantId of tenants) {
      const channel = await this.options.channelFor(tenantId);
      if (!channel || channel.unavailableSince) continue;
      if (!(await trail.takeAnchor(anchor(tenantId), since))) continue;
      this.log(head, at, 'daily', { tenantId });
      try {
        await this.options.messenger.postCard(channel, this.card(head, at, channel.locale));
        posted += 1;
      } catch (error) {
        logger.warn(
          { err: error, tenantId },
          'could not post the audit anchor in the approval channel; it is in the log',
        );
      }
    }
    return posted;
  }

  /**
   * An anchor an agent or lead asked for in the tenant's approval channel: recorded and logged now; the card
   * to answer with, or undefined while the trail is empty.
   */
  async anchorNow(tenantId: string, requestedBy: string, locale: string): Promise<AdaptiveCard | undefined> {
    const head = await this.options.trail.head();
    if (!head) return undefined;
    const at = this.options.clock.now();
    await this.options.trail.takeAnchor({ ...head, tenantId, at, trigger: 'asked', requestedBy });
    this.log(head, at, 'asked', { tenantId, requestedBy });
    return this.card(head, at, locale);
  }

  /** The card that publishes `head`. */
  card(head: AuditHead, at: Date, locale: string): AdaptiveCard {
    const strings = stringsFor(resolveLocale(locale, this.options.defaultLocale)).audit;
    return renderNoticeCard({
      title: strings.anchorTitle,
      body: format(strings.anchorBody, {
        at: at.toISOString().slice(0, 19).replace('T', ' '),
        sequence: String(head.sequence),
        hash: head.hash,
      }),
      tone: 'default',
    });
  }

  private log(head: AuditHead, at: Date, trigger: AnchorTrigger, where: Record<string, string> = {}): void {
    this.options.logger.info(
      {
        auditAnchor: { sequence: head.sequence, hash: head.hash, keyId: head.keyId, at: at.toISOString() },
        trigger,
        ...where,
      },
      'audit trail anchor',
    );
  }
}
