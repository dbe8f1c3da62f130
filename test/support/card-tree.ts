/** Every object in a card tree, ShowCard panels included. */
export function objectsOf(card: unknown): Array<Record<string, any>> {
  const found: Array<Record<string, any>> = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === 'object') {
      found.push(node as Record<string, any>);
      Object.values(node).forEach(visit);
    }
  };
  visit(card);
  return found;
}

/**
 * Tries to change every object and array of `card` (a property set on each object, each array emptied), skipping
 * the frozen ones: what a card shares with the renderer's cache is frozen, so a card drawn later must come out as if
 * this one had never been touched.
 */
export function scribbleOver(card: unknown): void {
  const nodes: object[] = [];
  const visit = (node: unknown): void => {
    if (typeof node !== 'object' || node === null) return;
    nodes.push(node);
    Object.values(node).forEach(visit);
  };
  visit(card);
  for (const node of nodes) {
    if (Object.isFrozen(node)) continue;
    if (Array.isArray(node)) node.length = 0;
    else (node as Record<string, unknown>).scribbled = true;
  }
}
