"""Validation levels and what each one runs.

The enum lives in ``onexgen.models.validation`` so result models stay free of stage code;
it is re-exported here because this is where callers look for it.
"""

from __future__ import annotations

from onexgen.models.validation import EnumValidationLevel

DEFAULT_LEVEL = EnumValidationLevel.STANDARD
DEFAULT_THRESHOLD = 0.8

__all__ = ["DEFAULT_LEVEL", "DEFAULT_THRESHOLD", "EnumValidationLevel"]
