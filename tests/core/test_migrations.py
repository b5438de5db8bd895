"""The migrations are the schema: they build it from nothing and agree with the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import core.models  # noqa: F401  (every table on the metadata)
from core.db import Base
from ged.search.models import include_object


def test_models_and_migrations_agree(engine):
    """GIVEN a database built by `alembic upgrade head` WHEN compared with the models
    THEN autogenerate finds nothing to change (on SQLite and on PostgreSQL)."""
    with engine.connect() as conn:
        # The search backends' own full-text objects (search_fts…) are not in the models.
        opts = {"compare_type": True, "include_object": include_object}
        context = MigrationContext.configure(conn, opts=opts)
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_upgrade_is_recorded_at_head(engine):
    from alembic.script import ScriptDirectory

    from core.db import alembic_config

    script = ScriptDirectory.from_config(alembic_config(str(engine.url)))
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    assert current == script.get_current_head()
