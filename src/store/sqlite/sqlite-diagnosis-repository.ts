import type { DiagnosisRecord, DiagnosisRepository } from '../../domain/ports.js';
import { groupCommitFor } from './group-commit.js';
import type { SqliteDatabase } from './open-database.js';

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
}

/** Diagnosis records in the `diagnoses` table. */
export class SqliteDiagnosisRepository implements DiagnosisRepository {
  private readonly upsert;
  private readonly selectOne;

  constructor(private readonly db: SqliteDatabase) {
    this.upsert = db.prepare<[DiagnosisRow]>(
      `INSERT INTO diagnoses (id, tenant_id, user_id, locale, entry, started_at, updated_at, path, outcome, result,
                              questions_asked, evidence_gaps)
       VALUES (@id, @tenant_id, @user_id, @locale, @entry, @started_at, @updated_at, @path, @outcome, @result,
               @questions_asked, @evidence_gaps)
       ON CONFLICT (id) DO UPDATE SET updated_at = excluded.updated_at, path = excluded.path,
         outcome = excluded.outcome, result = excluded.result, questions_asked = excluded.questions_asked`,
    );
    this.selectOne = db.prepare<[string], DiagnosisRow>('SELECT * FROM diagnoses WHERE id = ?');
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
    };
    // Recorded on every step of every diagnosis: concurrent conversations share the commit.
    await groupCommitFor(this.db).run(() => this.upsert.run(row));
  }

  async find(id: string): Promise<DiagnosisRecord | undefined> {
    const row = this.selectOne.get(id);
    if (!row) return undefined;
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
    };
  }
}
