"""The store: SQLModel tables, engine (SQLite or PostgreSQL), Alembic migrations,
audited writes with optimistic locking, and bulk report loading.

    from ruralcore.store import db, reports, write, audit, regions as store_regions
    engine = db.get_engine()            # DATABASE_URL or data/ruralcore.db, schema at head
"""
