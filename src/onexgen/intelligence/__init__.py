"""Stage 2: best-practice intelligence (built-in, offline library)."""

from onexgen.intelligence.gather import gather_intelligence

__all__ = ["gather_intelligence"]
