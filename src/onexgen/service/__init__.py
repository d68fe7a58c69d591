"""``onexgen serve``: the generation service (FastAPI), its worker pool, auth, archives, metrics.

Imported only by ``onexgen serve`` and the tests: nothing here is on a CLI generation's path.
"""
