"""Alembic migrations of the history database (run through ``onexgen.history.migrate``)."""
