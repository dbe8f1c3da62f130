import type { Strings } from '../content/strings/index.js';
import { format } from '../content/strings/index.js';
import { FACT_NAMES, type Knowledge } from '../domain/diagnosis/knowledge.js';
import type { Locale } from '../domain/locale.js';
import type { DiagnosisRecord } from '../domain/ports.js';
import { renderCard, type AdaptiveCard } from './render-card.js';

/** Data of `cards/diagnosis-record.json`. */
export interface DiagnosisRecordCardData {
  evidenceHeading: string;
  pathHeading: string;
  diagnoses: Array<{ title: string; summary: string[]; evidence: string[]; path: string[] }>;
}

/** How the agent reads a diagnosis: the knowledge it ran on, their language, people by name, times in their zone. */
export interface DiagnosisReader {
  strings: Strings;
  locale: Locale;
  knowledge: Knowledge;
  names: ReadonlyMap<string, string>;
  formatTime: (date: Date) => string;
  /** The DX-… reference of a diagnosis id. */
  referenceOf: (diagnosisId: string) => string;
}

/**
 * A diagnosis a person read out to the helpdesk (DX-…): who and when, how it ended, what the
 * directory showed and the path through the questions and outcomes.
 */
export function renderDiagnosisRecordCard(
  reader: DiagnosisReader,
  diagnoses: readonly DiagnosisRecord[],
): AdaptiveCard {
  const d = reader.strings.diagnosisRecord;
  const data: DiagnosisRecordCardData = {
    evidenceHeading: d.evidenceHeading,
    pathHeading: d.pathHeading,
    diagnoses: diagnoses.map((diagnosis) => ({
      title: format(d.title, { reference: reader.referenceOf(diagnosis.id) }),
      summary: [
        format(d.started, {
          time: reader.formatTime(diagnosis.startedAt),
          name: reader.names.get(diagnosis.userId) ?? reader.strings.status.someone,
          language: diagnosis.locale === 'ja' ? d.languages.ja : d.languages.en,
        }),
        format(d.entry, { entry: entryText(reader, diagnosis.entry) }),
        d.results[diagnosis.result],
        diagnosis.outcome ? format(d.outcome, { title: titleOf(reader, diagnosis.outcome) }) : d.noOutcome,
      ],
      evidence: evidenceLines(reader, diagnosis),
      path: pathLines(reader, diagnosis),
    })),
  };
  return renderCard('diagnosis-record', data);
}

function evidenceLines(reader: DiagnosisReader, diagnosis: DiagnosisRecord): string[] {
  const d = reader.strings.diagnosisRecord;
  const evidence = diagnosis.evidence;
  const lines: string[] = [];
  if (evidence) {
    for (const fact of FACT_NAMES) if (evidence.facts[fact] === true) lines.push(d.facts[fact]);
    if (evidence.methodKinds === undefined) lines.push(d.methodsUnknown);
    else if (evidence.methodKinds.length === 0) lines.push(d.noMethods);
    else lines.push(format(d.methods, { kinds: describeKinds(reader, evidence.methodKinds) }));
  }
  if (diagnosis.evidenceGaps.length > 0) {
    const names: Readonly<Record<string, string>> = d.parts;
    const parts = [...new Set(diagnosis.evidenceGaps.map((gap) => gap.split(':')[0]!.trim()))];
    const described = parts.map((part) => names[part] ?? part);
    lines.push(format(d.gaps, { parts: described.join(reader.strings.review.listSeparator) }));
  }
  return lines.length > 0 ? lines : [d.noEvidence];
}

/** Kinds of method by name, with a count where there are several. */
function describeKinds(reader: DiagnosisReader, kinds: readonly string[]): string {
  const names: Readonly<Record<string, string>> = reader.strings.diagnosisRecord.kinds;
  const counts = new Map<string, number>();
  for (const kind of kinds) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return [...counts.entries()]
    .map(([kind, count]) => `${names[kind] ?? kind}${count > 1 ? ` ×${count}` : ''}`)
    .join(reader.strings.review.listSeparator);
}

function pathLines(reader: DiagnosisReader, diagnosis: DiagnosisRecord): string[] {
  const d = reader.strings.diagnosisRecord;
  const lines: string[] = [];
  for (const step of diagnosis.path) {
    const node = reader.knowledge.nodes.find((candidate) => candidate.id === step.node);
    if (node?.kind === 'question') {
      const choice = node.choices.find((candidate) => candidate.id === step.choice);
      lines.push(format(d.asked, { prompt: node.prompt[reader.locale] }));
      if (choice) {
        const answer = step.via === 'evidence' ? d.impliedBy : step.via === 'said' ? d.saidFirst : d.answered;
        lines.push(`  ${format(answer, { choice: choice.label[reader.locale] })}`);
      }
    } else if (node?.kind === 'outcome' && step.via === 'notFixed') {
      lines.push(format(d.notFixed, { title: node.title[reader.locale] }));
    }
  }
  if (diagnosis.outcome) lines.push(format(d.shown, { title: titleOf(reader, diagnosis.outcome) }));
  return lines;
}

function titleOf(reader: DiagnosisReader, outcomeId: string): string {
  const node = reader.knowledge.nodes.find((candidate) => candidate.id === outcomeId);
  return node?.kind === 'outcome' ? node.title[reader.locale] : outcomeId;
}

function entryText(reader: DiagnosisReader, entry: string): string {
  const entries = reader.strings.diagnosisRecord.entries;
  if (entry === 'menu' || entry === 'command' || entry === 'symptoms') return entries[entry];
  // An intent: the words the person typed pointed there; show where it led.
  const target = reader.knowledge.intents.find((intent) => intent.id === entry)?.entry ?? entry;
  const node = reader.knowledge.nodes.find((candidate) => candidate.id === target);
  if (node?.kind === 'outcome') return node.title[reader.locale];
  if (node?.kind === 'question') return node.prompt[reader.locale];
  return entry;
}
