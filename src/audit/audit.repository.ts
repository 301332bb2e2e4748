import type { DbOrTx } from '../db/client.ts';
import { preparedInsert } from '../db/prepared.ts';
import { auditLog } from './audit.table.ts';

export interface AuditEntry {
  actorType: 'citizen' | 'staff' | 'stripe' | 'system' | 'courier';
  actorId?: string | null;
  action: string;
  subjectType: string;
  subjectId: string;
  officeId?: string | null;
  requestId?: string | undefined;
  /** Ids and codes only: never names, addresses or document numbers. */
  details?: Record<string, unknown>;
}

const insertAuditRow = preparedInsert('insert_audit', auditLog);

export async function recordAudit(db: DbOrTx, entry: AuditEntry): Promise<void> {
  await insertAuditRow(db, {
    actorType: entry.actorType,
    actorId: entry.actorId ?? null,
    action: entry.action,
    subjectType: entry.subjectType,
    subjectId: entry.subjectId,
    officeId: entry.officeId ?? null,
    requestId: entry.requestId ?? null,
    details: entry.details ?? {},
  });
}
