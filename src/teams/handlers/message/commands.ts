import type { Application } from '@microsoft/teams-ai';
import type { TurnContext } from 'botbuilder';
import type { TeamsDeps } from '../../deps.js';
import { welcomeReply } from '../../replies.js';
import {
  diagnosisCard,
  myRequestsCard,
  queueCard,
  statisticsCard,
  statusCard,
  teamCard,
} from '../../status/status-replies.js';
import { firstApplicationCard } from '../application/application-flow.js';
import { startDiagnosis } from '../diagnosis/start-diagnosis.js';
import { cardMessage, turnIdentity } from '../../turn-context.js';
import type { AppTurnState } from '../../turn-state.js';
import { STATISTICS_PERIODS, type StatisticsPeriod } from '../../../domain/requests/statistics.js';
import { inSharedConversation, sharedConversationReply } from './shared-conversation.js';

const END = String.raw`\s*[.!?。！？]*\s*$`;

/** Whole-message commands, in English and Japanese; surrounding spaces and case do not matter. */
export const commandPatterns = {
  help: new RegExp(String.raw`^\s*(help|\?|ヘルプ|使い方)${END}`, 'i'),
  diagnose: new RegExp(String.raw`^\s*(diagnose|診断)${END}`, 'i'),
  myRequests: new RegExp(String.raw`^\s*(my\s+requests?|requests?|自分の申請|申請状況|status|状況)${END}`, 'i'),
  reset: new RegExp(String.raw`^\s*(reset|apply|apply\s+for\s+(a\s+)?reset|リセット|リセット申請)${END}`, 'i'),
  myTeam: new RegExp(
    String.raw`^\s*(my\s+team('?s)?(\s+requests?)?|team(\s+requests?)?|(my\s+)?reports'?\s+requests?|チームの申請|チーム|部下の申請)${END}`,
    'i',
  ),
  queue: new RegExp(String.raw`^\s*((the\s+)?queue|open\s+requests?|キュー|未完了の申請)${END}`, 'i'),
  /** `stats`, `stats 30`, `statistics 90 days`, `統計 30日`. */
  stats: new RegExp(String.raw`^\s*(stats|statistics|統計)(\s*(\d{1,3})\s*(d|days?|日|日間)?)?${END}`, 'i'),
  /** `status SIH-000123`, `状況 DX-1A2B3C4D` (or anything else after the word: it is not found), or a bare reference. */
  status: new RegExp(
    String.raw`^\s*(?:(?:status|状況)\s*[:：]?\s*(\S{1,40})|((?:SIH|DX)-[0-9A-Za-z-]{1,20}))${END}`,
    'i',
  ),
} as const;

/** Registers the typed commands: help, diagnose, reset, my requests, my team, queue, stats and status. */
export function registerCommands(app: Application<AppTurnState>, deps: TeamsDeps): void {
  // Help, a diagnosis and the application are for a 1:1 chat; a channel or group chat hears where to go.
  const inPrivate = async (context: TurnContext): Promise<boolean> => {
    if (!inSharedConversation(context)) return true;
    await context.sendActivity(cardMessage(await sharedConversationReply(context, deps)));
    return false;
  };
  app.message(commandPatterns.help, async (context, state) => {
    if (!(await inPrivate(context))) return;
    await context.sendActivity(cardMessage(await welcomeReply(context, state, deps, true)));
  });
  app.message(commandPatterns.diagnose, async (context, state) => {
    if (!(await inPrivate(context))) return;
    await startDiagnosis(context, state, deps, 'command');
  });
  app.message(commandPatterns.reset, async (context) => {
    if (!(await inPrivate(context))) return;
    const filer = turnIdentity(context);
    if (filer) await context.sendActivity(cardMessage(await firstApplicationCard(context, deps, filer, undefined)));
  });
  app.message(commandPatterns.myRequests, async (context) => {
    await context.sendActivity(cardMessage(await myRequestsCard(context, deps)));
  });
  app.message(commandPatterns.myTeam, async (context) => {
    await context.sendActivity(cardMessage(await teamCard(context, deps)));
  });
  app.message(commandPatterns.queue, async (context) => {
    await context.sendActivity(cardMessage(await queueCard(context, deps)));
  });
  app.message(commandPatterns.stats, async (context) => {
    const asked = commandPatterns.stats.exec(context.activity.text ?? '')?.[3];
    await context.sendActivity(cardMessage(await statisticsCard(context, deps, periodOf(asked))));
  });
  app.message(commandPatterns.status, async (context) => {
    const match = commandPatterns.status.exec(context.activity.text ?? '');
    const reference = match?.[1] ?? match?.[2] ?? '';
    const card = /^DX-/i.test(reference)
      ? await diagnosisCard(context, deps, reference)
      : await statusCard(context, deps, reference);
    await context.sendActivity(cardMessage(card));
  });
}

/** The period a lead asked for: the nearest of 7, 30 and 90 days (30 when they did not say). */
export function periodOf(asked: unknown): StatisticsPeriod {
  // Card data is untrusted: only a number or a string of digits means anything here.
  const days = typeof asked === 'number' || typeof asked === 'string' ? Number(asked) : Number.NaN;
  if (!Number.isFinite(days) || days <= 0) return 30;
  return STATISTICS_PERIODS.reduce((best, period) => (Math.abs(period - days) < Math.abs(best - days) ? period : best));
}
