"""Generation history: every run recorded in SQLite (default) or PostgreSQL (shared).

Nothing here is imported on the ``onexgen parse`` path: SQLAlchemy is loaded only by the modules
that talk to the database (``store``, ``recorder``, ``migrate``), and only when a command needs it.
"""
