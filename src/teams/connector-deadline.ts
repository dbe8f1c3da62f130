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
 * Bounds what one turn waits on the Bot Connector, all its sends, updates and deletes together, to the time
 * left until `deadline` (its arrival plus CONNECTOR_TIMEOUT_MS, so time spent queued behind the conversation's
 * earlier turns counts). A send still unanswered then fails the turn, whose answer is not held any longer;
 * the call itself ends by its own deadline. An invoke's answer is not a send and is never refused.
 */
export function boundConnectorWaits(context: TurnContext, deadline: number, timeoutMs: number): void {
  const within = <T>(work: () => Promise<T>): Promise<T> => {
    const left = deadline - Date.now();
    if (left <= 0) return Promise.reject(new ConnectorTimeoutError(timeoutMs));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ConnectorTimeoutError(timeoutMs)), left);
    });
    const sent = work();
    // A send given up on still settles later; its failure is the turn's error already.
    sent.catch(() => undefined);
    return Promise.race([sent, timedOut]).finally(() => clearTimeout(timer));
  };
  context.onSendActivities((_context, activities, next) =>
    activities.every((activity) => activity.type === 'invokeResponse') ? next() : within(next),
  );
  context.onUpdateActivity((_context, _activity, next) => within(next));
  context.onDeleteActivity((_context, _reference, next) => within(next));
}
