"""Generation strategies with language models (hybrid, llm, auto), quorum and repair loop.

Importing this package imports no model SDK; ``engine`` and ``client`` do so on first use.
"""
