import type { Application } from '@microsoft/teams-ai';
import type { TeamsDeps } from '../deps.js';
import type { AppTurnState } from '../turn-state.js';
import { registerMenuActions } from './actions/menu-actions.js';
import { registerMembersAdded } from './events/members-added.js';
import { registerAuditAnchor } from './message/audit-anchor.js';
import { registerCommands } from './message/commands.js';
import { registerApplicationActions } from './application/application-actions.js';
import { registerDiagnosisActions } from './diagnosis/diagnosis-actions.js';
import { registerFreeText } from './message/free-text.js';
import { registerSetApprovalChannel } from './message/set-approval-channel.js';
import { registerPassActions } from './review/pass-actions.js';
import { registerReviewActions } from './review/review-actions.js';

/** Wires every handler in route order: card actions, events, commands, then free text. */
export function registerHandlers(app: Application<AppTurnState>, deps: TeamsDeps): void {
  registerMenuActions(app, deps);
  registerDiagnosisActions(app, deps);
  registerApplicationActions(app, deps);
  registerReviewActions(app, deps);
  registerPassActions(app, deps);
  registerMembersAdded(app, deps);
  registerSetApprovalChannel(app, deps);
  registerAuditAnchor(app, deps);
  registerCommands(app, deps);
  registerFreeText(app, deps);
}
