"""The store: SQLModel tables, engine (SQLite or PostgreSQL), Alembic migrations,
audited writes with optimistic locking, and bulk report loading.

    from ruralcore.store import db, reports, write, audit, meta, regions as store_regions
    engine = db.get_engine()   # DATABASE_URL or data/ruralcore.db; schema migrated to head

- db: get_engine(url), ensure_schema(engine), default_url(), session(engine), dispose(url)
- reports: load_reports(engine, program, periods), upsert_reports(engine, program, period,
  values, user, submitted_at, expected_versions) -> {'inserted', 'updated', 'unchanged'},
  period_totals(engine, program, upto, regions): monthly sums per field, read from
  report_totals (migration 0006: triggers on reports keep it in step with every write)
- analytics: month_rows(engine, program, period, level, parent), level_totals(engine,
  program, period, level, parent), ensure(engine), rebuild(conn, program, period): the wide
  per-programme analytics tables with every level's sums, kept in step by the writers
- write: insert / update / delete (one record, audited, version-checked), bulk_insert
- audit: load_audit(engine, user, table, since, until, key_prefix)
- regions: sync_regions(engine, frame, user), load_regions(engine, program)
- meta: get_meta / set_meta / is_demo / as_of / set_as_of
- partitions: on PostgreSQL reports is partitioned by year of its period (migration 0014),
  with a DEFAULT partition for other years; ensure_year(conn, table, year) gives a year its own

Every write is one transaction, names the acting user and appends to audit_log; an
update carries the version it read and raises StaleWriteError if it moved.
"""
