import type { Strings } from '../content/strings/index.js';
import { format } from '../content/strings/index.js';
import { renderCard, type AdaptiveCard } from './render-card.js';
import { Verbs, type Verb } from './verbs.js';

/** Data of `cards/welcome.json`. */
export interface WelcomeCardData {
  title: string;
  greeting: string;
  intro: string;
  capabilities: readonly string[];
  safety: string;
  help: Strings['help'] | null;
  actions: ReadonlyArray<{ title: string; verb: Verb }>;
}

/** Who the card greets: a name when the directory or Teams gave one, and whether we met before. */
export interface Greeting {
  name: string | undefined;
  returning: boolean;
}

/** The welcome card; with `withHelp`, the same card plus examples and commands (the `help` answer). */
export function renderWelcomeCard(strings: Strings, greeting: Greeting, withHelp = false): AdaptiveCard {
  const w = strings.welcome;
  const greetingText = greeting.name
    ? format(greeting.returning ? w.greetingReturning : w.greetingNew, { name: greeting.name })
    : w.greetingAnonymous;
  const data: WelcomeCardData = {
    title: withHelp ? strings.help.title : w.title,
    greeting: greetingText,
    intro: w.intro,
    capabilities: w.capabilities,
    safety: w.safety,
    help: withHelp ? strings.help : null,
    actions: [
      { title: w.actionCantSignIn, verb: Verbs.diagnoseStart },
      { title: w.actionApply, verb: Verbs.applicationOpen },
      { title: w.actionMyRequests, verb: Verbs.requestsMine },
      { title: w.actionHelp, verb: Verbs.helpShow },
    ],
  };
  return renderCard('welcome', data);
}
