"""Alembic environment: runs on the connection ruralcore.store.db passes in (or on the
URL in the config when called from the alembic command line)."""
from __future__ import annotations

from alembic import context
import sqlalchemy as sa

from ruralcore.store import models, partitions

config = context.config
target_metadata = models.metadata
# derived tables made by hand-written migrations, not models (0006: report_totals)
DERIVED_TABLES = frozenset({"report_totals"})


def _include_object(obj, name, type_, reflected, compare_to) -> bool:
    # PostgreSQL's year partitions (migration 0014) are storage of a model's table, not tables;
    # analytics_<programme>: generated per programme by ruralcore.store.analytics
    return not (type_ == "table" and (name in DERIVED_TABLES or partitions.is_partition(name)
                                      or name.startswith("analytics_")))


def _run(connection: sa.Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things
        compare_type=True,
        include_object=_include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


conn = config.attributes.get("connection")
if conn is not None:
    _run(conn)
else:
    engine = sa.create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.begin() as c:
        _run(c)
