import type { TurnContext } from 'botbuilder';
import type { AdaptiveCard } from '../cards/render-card.js';
import { renderWelcomeCard, type Roles } from '../cards/welcome.js';
import { stringsFor } from '../content/strings/index.js';
import { greetingName, type Locale } from '../domain/locale.js';
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
  const locale = turnLocale(context, deps.config.defaultLocale);
  const strings = stringsFor(locale);
  const [name, roles] = await Promise.all([nameToGreet(context, deps, locale), rolesOf(context, deps)]);
  return renderWelcomeCard(strings, { name, returning: state.temp.returning === true, roles }, withHelp);
}

/** What the person's role adds to the card; nothing when the directory does not answer in time. */
async function rolesOf(context: TurnContext, deps: TeamsDeps): Promise<Roles | undefined> {
  const identity = turnIdentity(context);
  if (!identity || !deps.directory) return undefined;
  try {
    return await withDeadline(deps.status.capabilities(identity.userId), DIRECTORY_BUDGET_MS);
  } catch (error) {
    turnLogger(context, deps.logger).warn({ err: error }, 'roles for the welcome card took too long; shown without');
    return undefined;
  }
}

/** The person's name as the greeting uses it in this language; the name Teams sent when the directory has none. */
async function nameToGreet(context: TurnContext, deps: TeamsDeps, locale: Locale): Promise<string | undefined> {
  const fromTeams = context.activity.from.name?.trim() || undefined;
  const id = context.activity.from.aadObjectId;
  if (!id || !deps.directory) return fromTeams;
  try {
    const user = await withDeadline(deps.directory.getUser(id), DIRECTORY_BUDGET_MS);
    return (user && greetingName(user, locale)) ?? fromTeams;
  } catch (error) {
    turnLogger(context, deps.logger).warn(
      { err: error },
      'directory lookup for the greeting failed; using the Teams name',
    );
    return fromTeams;
  }
}
