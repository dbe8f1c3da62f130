import { loadDemoTenant } from '../../src/directory/demo-tenant.js';
import type { PassCourier } from '../../src/domain/requests/execution-service.js';
import type { ResetRequest } from '../../src/domain/requests/request.js';

/* What the execution outbox tests share: the demo tenant's people, a policy with a small hourly cap, a courier. */

export const tenant = loadDemoTenant();
export const alex = tenant.users.find((user) => user.persona === 'requester')!;
export const isaiah = tenant.users.find((user) => user.persona === 'helpdesk agent')!;
export const policy = {
  passLifetimeMinutes: 60,
  passUsableOnce: true,
  passDelivery: 'subject' as const,
  maxAttempts: 3,
  hourlyCap: 2,
};

/** A courier that records what it was handed (only in memory, as a chat would show it). */
export class RecordingCourier implements PassCourier {
  readonly delivered: Array<{ requestId: string; to: string; value: string }> = [];
  async deliver(request: ResetRequest, pass: { value: string }) {
    this.delivered.push({ requestId: request.id, to: 'subject', value: pass.value });
    return { userId: request.application.subjectId, activityId: `pass-${this.delivered.length}` };
  }
  async offer() {
    return undefined;
  }
  async withdraw() {}
}
