"""Suite-wide set-up: generation history goes to a throwaway data directory, never the user's."""

from __future__ import annotations

import os
import tempfile
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pytest


def pytest_configure(config: pytest.Config) -> None:
    """Point ``ONEXGEN_DATA_DIR`` (history database, service data) at a temp dir for the run."""
    if "ONEXGEN_DATA_DIR" not in os.environ:
        os.environ["ONEXGEN_DATA_DIR"] = tempfile.mkdtemp(prefix="onexgen-test-data-")
