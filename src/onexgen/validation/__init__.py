"""Stage 6: validate a node directory with the real tools and score it honestly.

Import the validator from ``onexgen.validation.quality_validator``; this package init stays light
so that importing the levels does not start the tool machinery.
"""
