import type { TurnContext } from 'botbuilder';
import type { ConnectorClient } from 'botframework-connector';

/** The Bot Connector did not answer within CONNECTOR_TIMEOUT_MS (its client's retries included). */
export class ConnectorTimeoutError extends Error {
  readonly code = 'CONNECTOR_TIMEOUT';
  constructor(
    readonly timeoutMs: number,
    cause?: unknown,
  ) {
    super(`the Bot Connector did not answer within ${timeoutMs} ms`, { cause });
  }
}

/** The operations the adapter and the messenger call, by the number of arguments before their options. */
const OPERATIONS: Readonly<Record<string, number>> = {
  replyToActivity: 3,
  sendToConversation: 2,
  updateActivity: 3,
  deleteActivity: 2,
  createConversation: 1,
};

/**
 * A Bot Connector client whose calls each end within `timeoutMs`, retries included: the client's retry
 * policy stops at the same abort signal. Without it a refused connection was retried for about 11 s and an
 * endpoint that never answered was waited on for ever (botbuilder offers no timeout of its own, and replaces
 * any request policy it is given).
 */
export function withDeadlines(client: ConnectorClient, timeoutMs: number): ConnectorClient {
  const conversations = client.conversations;
  client.conversations = new Proxy(conversations, {
    get(target, name, receiver) {
      const value: unknown = Reflect.get(target, name, receiver);
      const arity = typeof name === 'string' ? OPERATIONS[name] : undefined;
      if (typeof value !== 'function' || arity === undefined) return value;
      return (...args: unknown[]) => {
        // A call that brings its own options (or a callback) is left as it is.
        if (args.length !== arity) return value.apply(target, args);
        const timedOut = AbortSignal.timeout(timeoutMs);
        return (value.apply(target, [...args, { abortSignal: timedOut }]) as Promise<unknown>).catch(
          (error: unknown) => {
            throw timedOut.aborted ? new ConnectorTimeoutError(timeoutMs, error) : error;
          },
        );
      };
    },
  });
  return client;
}

/**
 * Bounds what one turn waits on the Bot Connector, all its sends, updates and deletes together, to `timeoutMs`:
 * the time spent waiting on the Bot Connector counts, not the turn's own work (a reply after a slow directory read
 * is still sent). A send still unanswered when the budget is spent fails the turn, whose answer is not held any
 * longer; the call itself ends by its own deadline. A turn queued behind a stuck one waits at most that one's
 * budget. An invoke's answer is not a send and is never refused.
 */
export function boundConnectorWaits(context: TurnContext, timeoutMs: number): void {
  let spentMs = 0;
  const within = async <T>(work: () => Promise<T>): Promise<T> => {
    const left = timeoutMs - spentMs;
    if (left <= 0) throw new ConnectorTimeoutError(timeoutMs);
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ConnectorTimeoutError(timeoutMs)), left);
    });
    const sent = work();
    // A send given up on still settles later; its failure is the turn's error already.
    sent.catch(() => undefined);
    try {
      return await Promise.race([sent, timedOut]);
    } finally {
      clearTimeout(timer);
      spentMs += Date.now() - started;
    }
  };
  context.onSendActivities((_context, activities, next) =>
    activities.every((activity) => activity.type === 'invokeResponse') ? next() : within(next),
  );
  context.onUpdateActivity((_context, _activity, next) => within(next));
  context.onDeleteActivity((_context, _reference, next) => within(next));
}
