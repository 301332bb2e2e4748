import { randomBytes } from 'node:crypto';
import type { DbOrTx } from '../db/client.ts';

// PLACEHOLDER until the outbound-webhooks branch is merged (it replaces this file).
export type OutboundEventType = 'route.offered' | 'route.updated' | 'route.cancelled';

export async function appendOutboundEvent(
  _tx: DbOrTx,
  _input: { companyId: string; type: OutboundEventType; data: Record<string, unknown>; subjectId?: string },
): Promise<{ id: string }> {
  return { id: `msg_${randomBytes(12).toString('hex')}` };
}
