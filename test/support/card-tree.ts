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
