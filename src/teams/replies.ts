import type { TurnContext } from 'botbuilder';
import { renderNoticeCard } from '../cards/notice.js';
import type { AdaptiveCard } from '../cards/render-card.js';
import { renderWelcomeCard } from '../cards/welcome.js';
import { stringsFor } from '../content/strings/index.js';
import { withDeadline } from '../domain/with-deadline.js';
import type { TeamsDeps } from './deps.js';
import { turnLocale, turnLogger } from './turn-context.js';
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

/** The person's requests. */
export function myRequestsReply(context: TurnContext, deps: TeamsDeps): AdaptiveCard {
  const { requests } = stringsFor(turnLocale(context, deps.config.defaultLocale));
  return renderNoticeCard({ title: requests.title, body: requests.none, tone: 'default' });
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
