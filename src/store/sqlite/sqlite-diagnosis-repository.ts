import type { DiagnosisEvidence, DiagnosisRecord, DiagnosisRepository } from '../../domain/ports.js';
import { tallyDiagnosis } from '../../domain/requests/statistics.js';
import { groupCommitFor } from './group-commit.js';
import type { SqliteDatabase } from './open-database.js';
import { tallyWriterFor } from './sqlite-statistics-repository.js';

interface DiagnosisRow {
  id: string;
  tenant_id: string;
  user_id: string;
  locale: string;
  entry: string;
  started_at: string;
  updated_at: string;
  path: string;
  outcome: string | null;
  result: DiagnosisRecord['result'];
  questions_asked: number;
  evidence_gaps: string;
  evidence: string | null;
}

/** Diagnosis records in the `diagnoses` table, and their share of the statistics' counters. */
export class SqliteDiagnosisRepository implements DiagnosisRepository {
  private readonly upsert;
  private readonly selectOne;
  private readonly selectByPrefix;
  private readonly saveTransaction;

  constructor(private readonly db: SqliteDatabase) {
    this.upsert = db.prepare<[DiagnosisRow]>(
      `INSERT INTO diagnoses (id, tenant_id, user_id, locale, entry, started_at, updated_at, path, outcome, result,
                              questions_asked, evidence_gaps, evidence)
       VALUES (@id, @tenant_id, @user_id, @locale, @entry, @started_at, @updated_at, @path, @outcome, @result,
               @questions_asked, @evidence_gaps, @evidence)
       ON CONFLICT (id) DO UPDATE SET updated_at = excluded.updated_at, path = excluded.path,
         outcome = excluded.outcome, result = excluded.result, questions_asked = excluded.questions_asked`,
    );
    this.selectOne = db.prepare<[string], DiagnosisRow>('SELECT * FROM diagnoses WHERE id = ?');
    // Ids are lowercase UUIDs: everything that starts with the prefix sorts between it and it followed by '~'.
    this.selectByPrefix = db.prepare<[string, string, string, number], DiagnosisRow>(
      `SELECT * FROM diagnoses WHERE id >= ? AND id < ? AND tenant_id = ? ORDER BY started_at DESC LIMIT ?`,
    );
    const writeTallies = tallyWriterFor(db);
    this.saveTransaction = (row: DiagnosisRow, record: DiagnosisRecord) => {
      const before = this.selectOne.get(row.id);
      this.upsert.run(row);
      const previous =
        before && before.tenant_id === row.tenant_id
          ? { startedAt: new Date(before.started_at), result: before.result, outcome: before.outcome ?? undefined }
          : undefined;
      writeTallies(record.tenantId, tallyDiagnosis(previous, record));
    };
  }

  async save(record: DiagnosisRecord): Promise<void> {
    const row: DiagnosisRow = {
      id: record.id,
      tenant_id: record.tenantId,
      user_id: record.userId,
      locale: record.locale,
      entry: record.entry,
      started_at: record.startedAt.toISOString(),
      updated_at: record.updatedAt.toISOString(),
      path: JSON.stringify(record.path),
      outcome: record.outcome ?? null,
      result: record.result,
      questions_asked: record.questionsAsked,
      evidence_gaps: JSON.stringify(record.evidenceGaps),
      evidence: record.evidence === undefined ? null : JSON.stringify(record.evidence),
    };
    // Recorded on every step of every diagnosis: concurrent conversations share the commit.
    await groupCommitFor(this.db).run(() => this.saveTransaction(row, record));
  }

  async find(id: string): Promise<DiagnosisRecord | undefined> {
    const row = this.selectOne.get(id);
    return row ? toRecord(row) : undefined;
  }

  async findByIdPrefix(tenantId: string, prefix: string, limit: number): Promise<DiagnosisRecord[]> {
    const lower = prefix.toLowerCase();
    return this.selectByPrefix.all(lower, `${lower}~`, tenantId, limit).map(toRecord);
  }
}

function toRecord(row: DiagnosisRow): DiagnosisRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    userId: row.user_id,
    locale: row.locale,
    entry: row.entry,
    startedAt: new Date(row.started_at),
    updatedAt: new Date(row.updated_at),
    path: JSON.parse(row.path) as DiagnosisRecord['path'],
    outcome: row.outcome ?? undefined,
    result: row.result,
    questionsAsked: row.questions_asked,
    evidenceGaps: JSON.parse(row.evidence_gaps) as string[],
    evidence: row.evidence === null ? undefined : (JSON.parse(row.evidence) as DiagnosisEvidence),
  };
}
