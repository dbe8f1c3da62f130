import type { RecordView, ViewLog } from '../../domain/requests/ports.js';
import { groupCommitFor } from './group-commit.js';
import type { SqliteDatabase } from './open-database.js';

interface ViewRow {
  tenant_id: string;
  record_id: string;
  viewer_id: string;
  audience: RecordView['audience'];
  route: RecordView['route'];
  at: string;
}

/** Who looked at whose request, in the append-only `record_views` table. */
export class SqliteViewLog implements ViewLog {
  private readonly insert;
  private readonly selectOf;

  constructor(private readonly db: SqliteDatabase) {
    this.insert = db.prepare<[ViewRow]>(
      `INSERT INTO record_views (tenant_id, record_id, viewer_id, audience, route, at)
       VALUES (@tenant_id, @record_id, @viewer_id, @audience, @route, @at)`,
    );
    this.selectOf = db.prepare<[string], ViewRow>(
      'SELECT tenant_id, record_id, viewer_id, audience, route, at FROM record_views WHERE record_id = ? ORDER BY sequence',
    );
  }

  async record(views: readonly RecordView[]): Promise<void> {
    await groupCommitFor(this.db).run(() => {
      for (const view of views) {
        this.insert.run({
          tenant_id: view.tenantId,
          record_id: view.recordId,
          viewer_id: view.viewerId,
          audience: view.audience,
          route: view.route,
          at: view.at.toISOString(),
        });
      }
    });
  }

  async viewsOf(recordId: string): Promise<RecordView[]> {
    return this.selectOf.all(recordId).map((row) => ({
      tenantId: row.tenant_id,
      recordId: row.record_id,
      viewerId: row.viewer_id,
      audience: row.audience,
      route: row.route,
      at: new Date(row.at),
    }));
  }
}
