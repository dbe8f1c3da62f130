/** Thrown when work does not finish within its time budget. */
export class DeadlineExceededError extends Error {
  constructor(readonly budgetMs: number) {
    super(`Did not finish within ${budgetMs} ms`);
    this.name = 'DeadlineExceededError';
  }
}

/** Resolves like `work`, or rejects with DeadlineExceededError once `budgetMs` has passed. */
export function withDeadline<T>(work: Promise<T>, budgetMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceededError(budgetMs)), budgetMs);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
