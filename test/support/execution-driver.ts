import { existsSync, readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { Clock } from '../../src/domain/ports.js';
import type { Sender } from './activities.js';
import { Verbs, cardsInChat, channelCard, inChannel, inChat, people, storedRequest } from './approval-driver.js';
import type { BotUnderTest } from './use-bot.js';

/** A clock the test moves, so back-off delays and pass lifetimes pass without waiting. */
export class MovableClock implements Clock {
  private offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

const verified = { verification: 'videoCall', verificationNote: 'Photo ID matched on a video call' };

/**
 * `person` applies for their first listed method (or every one), and the approvers (Isaiah by
 * default) approve in the channel; the request id, approved.
 */
export async function approvedRequestOf(
  ctx: BotUnderTest,
  person: Sender,
  { approvers = [people.isaiah], allMethods = false }: { approvers?: Sender[]; allMethods?: boolean } = {},
): Promise<string> {
  const { requestId } = await inChat(ctx, person).applyWith({ allMethods });
  const reference = storedRequest(ctx, requestId).reference as string;
  for (const approver of approvers) {
    await inChannel(ctx, approver).press(channelCard(ctx, reference), Verbs.reviewApprove, verified);
  }
  expect(storedRequest(ctx, requestId).state).toBe('approved');
  return requestId;
}

/** Runs the execution worker once and waits for the notices it set off. */
export async function execute(ctx: BotUnderTest): Promise<void> {
  await ctx.bot.service.runExecution();
  await ctx.bot.service.settle();
}

/**
 * The verifier presses "Issue the pass now" on the latest offer in their chat (PASS_DELIVERY's
 * default); the card the press was answered with, which shows the pass.
 */
export async function issuePassAs(ctx: BotUnderTest, verifier: Sender): Promise<any> {
  const offer = cardsInChat(ctx, verifier)
    .filter((card) => JSON.stringify(card).includes(`"verb":"${Verbs.passIssue}"`))
    .at(-1);
  expect(offer, 'an offer to issue the pass').toBeDefined();
  return inChat(ctx, verifier).press(offer, Verbs.passIssue);
}

/** Every byte the bot wrote to its SQLite files (the WAL included), as text: to search for a pass. */
export function databaseBytes(ctx: BotUnderTest): string {
  return ['', '-wal', '-shm']
    .map((suffix) => `${ctx.bot.sqlitePath}${suffix}`)
    .filter((path) => existsSync(path))
    .map((path) => readFileSync(path).toString('latin1'))
    .join('\n');
}
