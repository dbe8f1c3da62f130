import type { DiagnosisEvidence, DiagnosisRecord, DiagnosisRepository } from '../../domain/ports.js';
import { tallyDiagnosis } from '../../domain/requests/statistics.js';
import { withTransaction, type PostgresClient, type PostgresPool } from './open-pool.js';
import { writeTallies } from './postgres-tallies.js';

interface DiagnosisRow {
  id: string;
  tenant_id: string;
  user_id: string;
  locale: string;
  entry: string;
  started_at: Date;
  updated_at: Date;
  path: string;
  outcome: string | null;
  result: DiagnosisRecord['result'];
  questions_asked: number;
  evidence_gaps: string;
  evidence: string | null;
}

/** Diagnosis records in the `diagnoses` table, and their share of the statistics' counters. */
export class PostgresDiagnosisRepository implements DiagnosisRepository {
  constructor(private readonly pool: PostgresPool) {}

  async save(record: DiagnosisRecord): Promise<void> {
    await withTransaction(this.pool, async (client) => {
      const before = await insertOrLock(client, record);
      if (before) {
        await client.query(
          `UPDATE diagnoses SET updated_at = $2, path = $3, outcome = $4, result = $5, questions_asked = $6
            WHERE id = $1`,
          [
            record.id,
            record.updatedAt,
            JSON.stringify(record.path),
            record.outcome ?? null,
            record.result,
            record.questionsAsked,
          ],
        );
      }
      // Counted as the record changed from what it was: the counters move with the row, in its transaction.
      const previous =
        before && before.tenant_id === record.tenantId
          ? { startedAt: before.started_at, result: before.result, outcome: before.outcome ?? undefined }
          : undefined;
      await writeTallies(client, record.tenantId, tallyDiagnosis(previous, record));
    });
  }

  async find(id: string): Promise<DiagnosisRecord | undefined> {
    const { rows } = await this.pool.query<DiagnosisRow>('SELECT * FROM diagnoses WHERE id = $1', [id]);
    return rows[0] && toRecord(rows[0]);
  }

  async findByIdPrefix(tenantId: string, prefix: string, limit: number): Promise<DiagnosisRecord[]> {
    const lower = prefix.toLowerCase();
    // Ids are lowercase UUIDs and the column compares bytewise (COLLATE "C"): everything that starts with the
    // prefix sorts between it and it followed by '~', a range of the primary key.
    const { rows } = await this.pool.query<DiagnosisRow>(
      'SELECT * FROM diagnoses WHERE id >= $1 AND id < $2 AND tenant_id = $3 ORDER BY started_at DESC LIMIT $4',
      [lower, `${lower}~`, tenantId, limit],
    );
    return rows.map(toRecord);
  }
}

/**
 * Inserts the record when it is new (undefined), or locks and returns the stored row it replaces. Two instances
 * saving the same new record at once: the second's insert waits for the first's and then finds its row, so the
 * counters see one new diagnosis and one change.
 */
async function insertOrLock(client: PostgresClient, record: DiagnosisRecord): Promise<DiagnosisRow | undefined> {
  const inserted = await client.query(
    `INSERT INTO diagnoses (id, tenant_id, user_id, locale, entry, started_at, updated_at, path, outcome, result,
                            questions_asked, evidence_gaps, evidence)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT (id) DO NOTHING`,
    [
      record.id,
      record.tenantId,
      record.userId,
      record.locale,
      record.entry,
      record.startedAt,
      record.updatedAt,
      JSON.stringify(record.path),
      record.outcome ?? null,
      record.result,
      record.questionsAsked,
      JSON.stringify(record.evidenceGaps),
      record.evidence === undefined ? null : JSON.stringify(record.evidence),
    ],
  );
  if (inserted.rowCount === 1) return undefined;
  const { rows } = await client.query<DiagnosisRow>('SELECT * FROM diagnoses WHERE id = $1 FOR UPDATE', [record.id]);
  return rows[0];
}

function toRecord(row: DiagnosisRow): DiagnosisRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    userId: row.user_id,
    locale: row.locale,
    entry: row.entry,
    startedAt: row.started_at,
    updatedAt: row.updated_at,
    path: JSON.parse(row.path) as DiagnosisRecord['path'],
    outcome: row.outcome ?? undefined,
    result: row.result,
    questionsAsked: row.questions_asked,
    evidenceGaps: JSON.parse(row.evidence_gaps) as string[],
    evidence: row.evidence === null ? undefined : (JSON.parse(row.evidence) as DiagnosisEvidence),
  };
}
