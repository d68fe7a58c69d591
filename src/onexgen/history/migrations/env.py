"""Alembic environment: runs on the connection ``onexgen.history.migrate`` hands over."""

from __future__ import annotations

from alembic import context

from onexgen.history.schema import METADATA

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run the history migrations through onexgen.history.migrate.upgrade()")
context.configure(connection=connection, target_metadata=METADATA, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
