import type { TurnContext } from 'botbuilder';
import type { Application } from '@microsoft/teams-ai';
import { renderDiagnosisOutcomeCard, renderDiagnosisQuestionCard } from '../../../cards/diagnosis.js';
import type { AdaptiveCard } from '../../../cards/render-card.js';
import { Verbs } from '../../../cards/verbs.js';
import { stringsFor } from '../../../content/strings/index.js';
import { StaleDiagnosisStepError } from '../../../domain/diagnosis/engine.js';
import type { DiagnosisTurn } from '../../../domain/diagnosis/diagnosis-service.js';
import { APPLYING_CATEGORIES } from '../../../domain/diagnosis/knowledge.js';
import type { DrawCard } from '../../after-answer.js';
import type { TeamsDeps } from '../../deps.js';
import { cardMessage, turnLocale } from '../../turn-context.js';
import type { AppTurnState } from '../../turn-state.js';
import { cardForTurn, subjectOf } from './diagnosis-replies.js';
import { beginDiagnosis } from './start-diagnosis.js';

/** What a card action carries; nothing in it is trusted beyond picking among stored options. */
interface StepData {
  diagnosisId?: unknown;
  node?: unknown;
  choice?: unknown;
  intent?: unknown;
}

type StepKind = 'answer' | 'fixed' | 'notFixed';

/**
 * The outcome of one click: the card to leave in place of the clicked one and how to draw the next
 * card (posted after the invoke's answer), or a note when it was stale.
 */
type StepResult = { kind: 'done'; answeredCard: AdaptiveCard; next: DrawCard } | { kind: 'stale'; note: string };

/**
 * Registers the diagnosis buttons (start, answer, "did this fix it?") for Action.Execute and
 * the Action.Submit fallback; both run the same checks against the stored diagnosis. The step
 * and the conversation's state change within the turn; for Action.Execute the card that
 * follows is drawn and posted once the invoke has been answered.
 */
export function registerDiagnosisActions(app: Application<AppTurnState>, deps: TeamsDeps): void {
  const ack = (context: TurnContext) => stringsFor(turnLocale(context, deps.config.defaultLocale)).actions.answered;
  const begin = (context: TurnContext, state: AppTurnState, data: StepData) =>
    typeof data.intent === 'string' && data.intent !== ''
      ? beginDiagnosis(context, state, deps, 'symptoms', data.intent)
      : beginDiagnosis(context, state, deps, 'menu');

  app.adaptiveCards.actionExecute<StepData>(Verbs.diagnoseStart, async (context, state, data) => {
    const first = await begin(context, state, data);
    if (first) deps.afterAnswer.sendCard(context, Verbs.diagnoseStart, first);
    return ack(context);
  });
  app.adaptiveCards.actionSubmit<StepData>(Verbs.diagnoseStart, async (context, state, data) => {
    const first = await begin(context, state, data);
    if (first) await context.sendActivity(cardMessage(await first(context)));
  });

  const steps: Array<[string, StepKind]> = [
    [Verbs.diagnosisAnswer, 'answer'],
    [Verbs.diagnosisFixed, 'fixed'],
    [Verbs.diagnosisNotFixed, 'notFixed'],
  ];
  for (const [verb, kind] of steps) {
    app.adaptiveCards.actionExecute<StepData>(verb, async (context, state, data) => {
      const result = await takeStep(context, state, deps, kind, data);
      if (result.kind === 'stale') return result.note;
      deps.afterAnswer.sendCard(context, verb, result.next);
      return result.answeredCard;
    });
    app.adaptiveCards.actionSubmit<StepData>(verb, async (context, state, data) => {
      const result = await takeStep(context, state, deps, kind, data);
      if (result.kind === 'stale') await context.sendActivity(result.note);
      else await context.sendActivity(cardMessage(await result.next(context)));
    });
  }
}

async function takeStep(
  context: TurnContext,
  state: AppTurnState,
  deps: TeamsDeps,
  kind: StepKind,
  data: StepData,
): Promise<StepResult> {
  const locale = turnLocale(context, deps.config.defaultLocale);
  const strings = stringsFor(locale);
  const stale: StepResult = { kind: 'stale', note: strings.diagnosis.staleAnswer };
  const active = state.conversation.diagnosis;
  const subject = subjectOf(context, deps);
  if (!active || !subject || active.id !== data.diagnosisId || typeof data.node !== 'string') return stale;
  const node = deps.knowledge.nodes.find((candidate) => candidate.id === data.node);

  let turn: DiagnosisTurn;
  let answeredCard: AdaptiveCard;
  try {
    if (kind === 'answer') {
      if (node?.kind !== 'question' || typeof data.choice !== 'string') return stale;
      turn = await deps.diagnosis.answer(subject, active, data.node, data.choice);
      const label = node.choices.find((choice) => choice.id === data.choice)!.label[locale];
      answeredCard = renderDiagnosisQuestionCard(strings, locale, active, node, label);
    } else {
      if (node?.kind !== 'outcome') return stale;
      turn = await deps.diagnosis.feedback(subject, active, data.node, kind === 'fixed');
      const d = strings.diagnosis;
      const said = APPLYING_CATEGORIES.has(node.category)
        ? kind === 'fixed'
          ? d.noLongerNeeded
          : d.apply
        : kind === 'fixed'
          ? d.yes
          : d.no;
      answeredCard = renderDiagnosisOutcomeCard(strings, locale, active.id, node, deps.links, said);
    }
  } catch (error) {
    if (error instanceof StaleDiagnosisStepError) return stale;
    throw error;
  }
  if (turn.diagnosis) state.conversation.diagnosis = turn.diagnosis;
  else delete state.conversation.diagnosis;
  return { kind: 'done', answeredCard, next: (copy) => cardForTurn(copy, deps, subject, turn, active) };
}
