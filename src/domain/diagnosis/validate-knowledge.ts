import { LOCALES } from '../locale.js';
import { RESET_REASONS } from '../requests/request.js';
import { fillerDroppedIn } from './match-intent.js';
import {
  APPLY,
  MAX_QUESTIONS,
  type Knowledge,
  type KnowledgeNode,
  type LinkId,
  type LocalizedText,
} from './knowledge.js';

/** An edge of the decision graph, with the condition it is taken under when it leaves a check. */
interface Edge {
  to: string;
  kind: 'forward' | 'notFixed';
  linkConfigured?: LinkId;
}

/** The edges leaving a node. */
export function edgesOf(node: KnowledgeNode): Edge[] {
  switch (node.kind) {
    case 'question':
      return node.choices.map((choice) => ({ to: choice.next, kind: 'forward' }));
    case 'check':
      return [
        ...node.branches.map((branch): Edge => {
          const edge: Edge = { to: branch.next, kind: 'forward' };
          if ('linkConfigured' in branch.when) edge.linkConfigured = branch.when.linkConfigured;
          return edge;
        }),
        { to: node.otherwise, kind: 'forward' },
      ];
    case 'outcome':
      return node.ifNotFixed === undefined || node.ifNotFixed === APPLY
        ? []
        : [{ to: node.ifNotFixed, kind: 'notFixed' }];
  }
}

/**
 * Everything wrong with a knowledge base, as sentences; empty when it is sound. Checks that
 * links resolve, nothing is unreachable, there are no cycles or dead ends, no path asks more
 * than MAX_QUESTIONS questions, every text exists in every language, every error code belongs
 * to one intent only, every signal is defined once and answers some choice, every reason given is one the reset
 * application offers, and every link shown has a configured URL (or the outcome is only reached when it has one).
 */
export function findKnowledgeProblems(knowledge: Knowledge, configuredLinks: ReadonlySet<LinkId>): string[] {
  const problems: string[] = [];
  const byId = new Map<string, KnowledgeNode>();
  for (const node of knowledge.nodes) {
    if (byId.has(node.id)) problems.push(`node "${node.id}" is defined twice`);
    byId.set(node.id, node);
  }

  const entries = [knowledge.start, ...knowledge.intents.map((intent) => intent.entry)];
  if (!byId.has(knowledge.start)) problems.push(`start "${knowledge.start}" is not a node`);
  const intentIds = new Set<string>();
  const codeOwners = new Map<number, string>();
  for (const intent of knowledge.intents) {
    if (intentIds.has(intent.id)) problems.push(`intent "${intent.id}" is defined twice`);
    intentIds.add(intent.id);
    for (const code of [...(intent.codes ?? []), ...(intent.generalCodes ?? [])]) {
      const owner = codeOwners.get(code);
      if (!Number.isSafeInteger(code) || code <= 0) {
        problems.push(`intent "${intent.id}" lists the error code ${code}, which is not a positive whole number`);
      } else if (owner === intent.id) {
        problems.push(`intent "${intent.id}" lists the error code ${code} twice`);
      } else if (owner !== undefined) {
        problems.push(`the error code ${code} belongs to both "${owner}" and "${intent.id}"; give it to one of them`);
      } else {
        codeOwners.set(code, intent.id);
      }
    }
    if (!byId.has(intent.entry))
      problems.push(`intent "${intent.id}" enters at "${intent.entry}", which is not a node`);
    problems.push(...reasonProblems(`intent "${intent.id}"`, intent.reason));
    for (const locale of LOCALES) {
      if (intent.phrases[locale].filter((phrase) => phrase.trim() !== '').length === 0) {
        problems.push(`intent "${intent.id}" has no ${locale} phrases`);
      }
    }
  }

  const signalIds = new Set<string>();
  for (const signal of knowledge.signals ?? []) {
    if (signalIds.has(signal.id)) problems.push(`signal "${signal.id}" is defined twice`);
    signalIds.add(signal.id);
    problems.push(...reasonProblems(`signal "${signal.id}"`, signal.reason));
    for (const locale of LOCALES) {
      if (signal.phrases[locale].filter((phrase) => phrase.trim() !== '').length === 0) {
        problems.push(`signal "${signal.id}" has no ${locale} phrases`);
      }
    }
  }
  const saidSignals = new Set<string>();
  for (const [kind, list] of [
    ['intent', knowledge.intents],
    ['signal', knowledge.signals ?? []],
  ] as const) {
    for (const definition of list) {
      for (const locale of LOCALES) {
        for (const phrase of definition.phrases[locale]) {
          for (const { alternative, dropped } of fillerDroppedIn(phrase)) {
            problems.push(
              `${kind} "${definition.id}": "${alternative}" would be read without ${dropped.map((word) => `"${word}"`).join(' and ')}, a filler word; quote it ("${alternative}") so that every word counts`,
            );
          }
        }
      }
    }
  }

  for (const node of knowledge.nodes) {
    for (const [where, text] of textsOf(node)) {
      for (const locale of LOCALES) {
        if (!text[locale]?.trim()) problems.push(`${node.id}: ${where} has no ${locale} text`);
      }
    }
    if (node.kind === 'question') {
      if (node.choices.length < 2) problems.push(`question "${node.id}" needs at least two choices`);
      const choiceIds = node.choices.map((choice) => choice.id);
      if (new Set(choiceIds).size !== choiceIds.length) problems.push(`question "${node.id}" repeats a choice id`);
      for (const choice of node.choices) {
        problems.push(...reasonProblems(`${node.id}: choice "${choice.id}"`, choice.reason));
        if (choice.said === undefined) continue;
        saidSignals.add(choice.said);
        if (!signalIds.has(choice.said)) {
          problems.push(`${node.id}: choice "${choice.id}" is said by "${choice.said}", which is not a signal`);
        }
      }
    }
    if (node.kind === 'outcome' && node.steps.length === 0) problems.push(`outcome "${node.id}" has no steps`);
    for (const edge of edgesOf(node)) {
      if (!byId.has(edge.to)) problems.push(`${node.id} leads to "${edge.to}", which is not a node`);
    }
    if (node.kind === 'outcome' && node.category === 'helpdesk' && node.ifNotFixed !== undefined) {
      problems.push(`outcome "${node.id}" hands over to the helpdesk, so nothing may follow it (${node.ifNotFixed})`);
    }
  }
  for (const id of signalIds) {
    if (!saidSignals.has(id)) problems.push(`signal "${id}" answers no question: name it in the "said" of a choice`);
  }
  if (problems.length > 0) return problems;

  const reachable = new Set<string>();
  const visit = (id: string) => {
    if (reachable.has(id)) return;
    reachable.add(id);
    for (const edge of edgesOf(byId.get(id)!)) visit(edge.to);
  };
  entries.forEach(visit);
  for (const node of knowledge.nodes) {
    if (!reachable.has(node.id)) problems.push(`node "${node.id}" cannot be reached from the start or any intent`);
  }

  const cycle = findCycle(knowledge.nodes, byId);
  if (cycle) {
    problems.push(`the graph loops: ${cycle.join(' → ')}`);
    return problems;
  }

  const questionsFrom = longestQuestionCounts(knowledge.nodes, byId);
  for (const entry of new Set(entries)) {
    const asked = questionsFrom.get(entry) ?? 0;
    if (asked > MAX_QUESTIONS) {
      problems.push(`a path from "${entry}" can ask ${asked} questions; the most allowed is ${MAX_QUESTIONS}`);
    }
  }

  for (const node of knowledge.nodes) {
    if (node.kind === 'outcome' && node.category === 'notMfa' && leadsToApply(node.id, byId)) {
      problems.push(
        `outcome "${node.id}" is not an MFA problem but "did not fix it" leads to the MFA reset application`,
      );
    }
  }

  problems.push(...unconfiguredLinkProblems(knowledge.nodes, new Set(entries), configuredLinks));
  return problems;
}

/** A reason the reset application does not offer would leave its "What happened?" empty without a word. */
function reasonProblems(where: string, reason: string | undefined): string[] {
  if (reason === undefined || (RESET_REASONS as readonly string[]).includes(reason)) return [];
  return [
    `${where} gives the reason "${reason}", which the reset application does not offer (${RESET_REASONS.join(', ')})`,
  ];
}

/** Whether any chain of "did not fix it" from this outcome reaches the application. */
function leadsToApply(id: string, byId: Map<string, KnowledgeNode>): boolean {
  const node = byId.get(id)!;
  if (node.kind === 'outcome' && node.ifNotFixed === APPLY) return true;
  return edgesOf(node).some((edge) => leadsToApply(edge.to, byId));
}

function textsOf(node: KnowledgeNode): Array<[string, LocalizedText]> {
  switch (node.kind) {
    case 'question':
      return [
        ['prompt', node.prompt],
        ...node.choices.map((c): [string, LocalizedText] => [`choice ${c.id}`, c.label]),
      ];
    case 'check':
      return [];
    case 'outcome':
      return [
        ['title', node.title],
        ['summary', node.summary],
        ...node.steps.map((step, i): [string, LocalizedText] => [`step ${i + 1}`, step]),
        ...node.links.map((l): [string, LocalizedText] => [`link ${l.link}`, l.label]),
      ];
  }
}

function findCycle(nodes: readonly KnowledgeNode[], byId: Map<string, KnowledgeNode>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const dfs = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'open') return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, 'open');
    stack.push(id);
    for (const edge of edgesOf(byId.get(id)!)) {
      const found = dfs(edge.to);
      if (found) return found;
    }
    stack.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const node of nodes) {
    const found = dfs(node.id);
    if (found) return found;
  }
  return undefined;
}

/**
 * For each node, the most questions a diagnosis can still ask from there, those asked after "it did
 * not fix it" included: the limit is on the whole conversation.
 */
function longestQuestionCounts(nodes: readonly KnowledgeNode[], byId: Map<string, KnowledgeNode>): Map<string, number> {
  const memo = new Map<string, number>();
  const count = (id: string): number => {
    const known = memo.get(id);
    if (known !== undefined) return known;
    const node = byId.get(id)!;
    const after = edgesOf(node).map((edge) => count(edge.to));
    const result = (node.kind === 'question' ? 1 : 0) + Math.max(0, ...after);
    memo.set(id, result);
    return result;
  };
  nodes.forEach((node) => count(node.id));
  return memo;
}

/**
 * An outcome may show a link without a configured URL only when every way into it passes a
 * check that the link is configured (so it is never shown without one).
 */
function unconfiguredLinkProblems(
  nodes: readonly KnowledgeNode[],
  entries: ReadonlySet<string>,
  configured: ReadonlySet<LinkId>,
): string[] {
  const incoming = new Map<string, Edge[]>();
  for (const node of nodes) {
    for (const edge of edgesOf(node)) incoming.set(edge.to, [...(incoming.get(edge.to) ?? []), edge]);
  }
  const problems: string[] = [];
  for (const node of nodes) {
    if (node.kind !== 'outcome') continue;
    for (const { link } of node.links) {
      if (configured.has(link)) continue;
      const guarded =
        !entries.has(node.id) && (incoming.get(node.id) ?? []).every((edge) => edge.linkConfigured === link);
      if (!guarded) {
        problems.push(`outcome "${node.id}" shows the link "${link}", which has no configured URL`);
      }
    }
  }
  return problems;
}
