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
  help: {
    examplesHeading: string;
    examples: readonly string[];
    commandsHeading: string;
    commands: ReadonlyArray<{ command: string; description: string }>;
  } | null;
  actions: ReadonlyArray<{ title: string; verb: Verb }>;
  /** What the person's role adds (their team, the queue, the statistics), under a heading; null for none. */
  roleActions: { heading: string; actions: ReadonlyArray<{ title: string; verb: Verb }> } | null;
}

/** What the directory says the person is, beyond someone who may need help signing in. */
export interface Roles {
  /** Has direct reports. */
  manager: boolean;
  /** In the helpdesk group. */
  agent: boolean;
  /** In the helpdesk lead group. */
  lead: boolean;
}

const NO_ROLES: Roles = { manager: false, agent: false, lead: false };

/** Who the card greets: a name when the directory or Teams gave one, whether we met before, and their roles. */
export interface Greeting {
  name: string | undefined;
  returning: boolean;
  roles?: Roles;
}

/** The welcome card; with `withHelp`, the same card plus examples and commands (the `help` answer). */
export function renderWelcomeCard(strings: Strings, greeting: Greeting, withHelp = false): AdaptiveCard {
  const w = strings.welcome;
  const h = strings.help;
  const roles = greeting.roles ?? NO_ROLES;
  const roleActions = [
    ...(roles.manager ? [{ title: w.actionMyTeam, verb: Verbs.teamShow }] : []),
    ...(roles.agent || roles.lead ? [{ title: w.actionQueue, verb: Verbs.queueShow }] : []),
    ...(roles.lead ? [{ title: w.actionStats, verb: Verbs.statsShow }] : []),
  ];
  const greetingText = greeting.name
    ? format(greeting.returning ? w.greetingReturning : w.greetingNew, { name: greeting.name })
    : w.greetingAnonymous;
  const data: WelcomeCardData = {
    title: withHelp ? strings.help.title : w.title,
    greeting: greetingText,
    intro: w.intro,
    capabilities: w.capabilities,
    safety: w.safety,
    help: withHelp
      ? {
          examplesHeading: h.examplesHeading,
          examples: h.examples,
          commandsHeading: h.commandsHeading,
          commands: [
            ...h.commands,
            ...(roles.manager ? h.managerCommands : []),
            ...(roles.agent || roles.lead ? h.agentCommands : []),
            ...(roles.lead ? h.leadCommands : []),
          ],
        }
      : null,
    actions: [
      { title: w.actionCantSignIn, verb: Verbs.diagnoseStart },
      { title: w.actionApply, verb: Verbs.applicationOpen },
      { title: w.actionMyRequests, verb: Verbs.requestsMine },
      { title: w.actionHelp, verb: Verbs.helpShow },
    ],
    roleActions: roleActions.length > 0 ? { heading: w.roleHeading, actions: roleActions } : null,
  };
  return renderCard('welcome', data);
}
