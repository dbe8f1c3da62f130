import type { RecordView, ViewLog } from '../../domain/requests/ports.js';
import type { PostgresPool } from './open-pool.js';

interface ViewRow {
  tenant_id: string;
  record_id: string;
  viewer_id: string;
  audience: RecordView['audience'];
  route: RecordView['route'];
  at: Date;
}

/** Who looked at whose request, in the append-only `record_views` table. */
export class PostgresViewLog implements ViewLog {
  constructor(private readonly pool: PostgresPool) {}

  async record(views: readonly RecordView[]): Promise<void> {
    if (views.length === 0) return;
    // One statement, so all of the views are kept or none; in their order, so sequence follows it.
    await this.pool.query(
      `INSERT INTO record_views (tenant_id, record_id, viewer_id, audience, route, at)
       SELECT tenant_id, record_id, viewer_id, audience, route, at
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[])
           WITH ORDINALITY AS view (tenant_id, record_id, viewer_id, audience, route, at, position)
        ORDER BY position`,
      [
        views.map((view) => view.tenantId),
        views.map((view) => view.recordId),
        views.map((view) => view.viewerId),
        views.map((view) => view.audience),
        views.map((view) => view.route),
        views.map((view) => view.at),
      ],
    );
  }

  async viewsOf(recordId: string): Promise<RecordView[]> {
    const { rows } = await this.pool.query<ViewRow>(
      `SELECT tenant_id, record_id, viewer_id, audience, route, at FROM record_views WHERE record_id = $1
        ORDER BY sequence`,
      [recordId],
    );
    return rows.map((row) => ({
      tenantId: row.tenant_id,
      recordId: row.record_id,
      viewerId: row.viewer_id,
      audience: row.audience,
      route: row.route,
      at: row.at,
    }));
  }
}
