import type { TurnContext } from 'botbuilder';
import { renderMyRequestsCard } from '../cards/my-requests.js';
import type { AdaptiveCard } from '../cards/render-card.js';
import { renderWelcomeCard } from '../cards/welcome.js';
import { stringsFor } from '../content/strings/index.js';
import { withDeadline } from '../domain/with-deadline.js';
import type { TeamsDeps } from './deps.js';
import { turnIdentity, turnLocale, turnLogger } from './turn-context.js';
import type { AppTurnState } from './turn-state.js';

/** How long the greeting may wait for the directory before using the name Teams sent. */
const DIRECTORY_BUDGET_MS = 1_500;

/** The welcome card (or, with `withHelp`, the help card) for the person in this turn. */
export async function welcomeReply(
  context: TurnContext,
  state: AppTurnState,
  deps: TeamsDeps,
  withHelp = false,
): Promise<AdaptiveCard> {
  const strings = stringsFor(turnLocale(context, deps.config.defaultLocale));
  const name = await greetingName(context, deps);
  return renderWelcomeCard(strings, { name, returning: state.temp.returning === true }, withHelp);
}

/** The person's requests: those about their account and those they filed. */
export async function myRequestsReply(context: TurnContext, deps: TeamsDeps): Promise<AdaptiveCard> {
  const locale = turnLocale(context, deps.config.defaultLocale);
  const identity = turnIdentity(context);
  const listed = identity ? await deps.requests.requestsOf(identity) : [];
  return renderMyRequestsCard(stringsFor(locale), listed, dateFormatter(locale, context.activity.localTimezone));
}

/** Dates in the person's language and, when Teams sent it, their time zone (else UTC). */
function dateFormatter(locale: string, timeZone: string | undefined): (date: Date) => string {
  const options: Intl.DateTimeFormatOptions = { dateStyle: 'medium', timeStyle: 'short' };
  try {
    const formatter = new Intl.DateTimeFormat(locale, { ...options, timeZone: timeZone ?? 'UTC' });
    return (date) => formatter.format(date);
  } catch {
    // An unknown time zone name from the client.
    const formatter = new Intl.DateTimeFormat(locale, { ...options, timeZone: 'UTC' });
    return (date) => `${formatter.format(date)} UTC`;
  }
}

async function greetingName(context: TurnContext, deps: TeamsDeps): Promise<string | undefined> {
  const fromTeams = context.activity.from.name?.trim() || undefined;
  const id = context.activity.from.aadObjectId;
  if (!id || !deps.directory) return fromTeams;
  try {
    const user = await withDeadline(deps.directory.getUser(id), DIRECTORY_BUDGET_MS);
    return user?.givenName ?? fromTeams;
  } catch (error) {
    turnLogger(context, deps.logger).warn(
      { err: error },
      'directory lookup for the greeting failed; using the Teams name',
    );
    return fromTeams;
  }
}
