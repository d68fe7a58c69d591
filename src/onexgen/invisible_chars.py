"""Characters a user cannot see must not reach a generated file: the one function that drops them.

Terminal escape sequences, control characters, bidi overrides (the "Trojan Source" trick) and
zero-width characters make text look different from what it is. Every input boundary (the prompt,
every YAML/JSON file through :mod:`onexgen.bounded_input`) and every escaping filter of
:mod:`onexgen.rendering.escaping` drops them.
"""

from __future__ import annotations

import re
import unicodedata

_ANSI_SEQUENCE = re.compile(
    r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])|\x9b[0-?]*[ -/]*[@-~]"
)
"""Terminal escape sequences (CSI such as colours, OSC such as titles, two-byte escapes)."""


def strip_invisible(value: str) -> str:
    """``value`` without terminal escapes, control, bidi-override and zero-width characters.

    Line breaks and tabs stay (a prompt may be several lines). This is what the prompt boundary
    applies, so such characters never reach a generated file or the manifest.
    """
    text = _ANSI_SEQUENCE.sub("", value)
    return "".join(
        char
        for char in text
        if char in "\n\t" or unicodedata.category(char) not in {"Cc", "Cf", "Cs", "Co", "Cn"}
    )
