"""Run hooks: what a ``CodeGenerationService`` tells an observer about each run, start to end.

Why in the pipeline: the history recorder must see every run with exactly the options it ran
with. The service builds that record from its own parameters (all of them, by construction), so
the record cannot drift from ``generate_node``'s signature the way a subclass that re-declares
the signature to wrap it could. Runs executed elsewhere (an event-bus worker) go through the
same hooks (``CodeGenerationService.run_elsewhere``).
"""

from __future__ import annotations

import enum
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from collections.abc import Mapping
    from uuid import UUID

    from onexgen.models.contract import ModelNodeContract
    from onexgen.models.generation import ModelGenerationResult
    from onexgen.models.requirements import ModelPRDRequirements

NOT_OPTIONS = frozenset(
    {"self", "requirements", "prompt", "contract", "correlation_id", "confirm_overwrite"}
)
"""``generate_node`` parameters that are the request itself, its identity or a callback."""
RECORDED_NAMES = {
    "output_directory": "output_dir",
    "validation_level": "validation",
    "strict_mode": "strict",
}
"""Parameters recorded under the CLI's option names (what ``onexgen show`` prints)."""


@dataclass(frozen=True)
class RunRequest:
    """One run as it starts: what was asked and every option it runs with (JSON-ready)."""

    correlation_id: UUID
    prompt: str | None
    requirements: ModelPRDRequirements | Path | None
    contract: ModelNodeContract | Path | None
    options: dict[str, Any]


class RunHooks(Protocol):
    """Told about each run of a service; must be cheap and must not raise (they are guarded)."""

    def run_started(self, request: RunRequest) -> None:
        """Before stage 1."""

    def run_files(self, correlation_id: UUID, files: tuple[tuple[str, str], ...]) -> None:
        """The node's ``(relative path, text)`` files: once rendered (stage 5), again sealed
        just before the swap, so the node is kept even when writing it fails."""

    def run_finished(self, correlation_id: UUID, result: ModelGenerationResult) -> None:
        """The run's result (a failed generation is a result too)."""

    def run_aborted(self, correlation_id: UUID, error: BaseException) -> None:
        """The run ended without a result: cancelled (Ctrl-C, shutdown) or an unexpected error."""


def run_options(arguments: Mapping[str, object]) -> dict[str, Any]:
    """The recorded options of a run from ``generate_node``'s arguments (``locals()``)."""
    return {
        RECORDED_NAMES.get(name, name): _plain(name, value)
        for name, value in arguments.items()
        if name not in NOT_OPTIONS
    }


def _plain(name: str, value: object) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Path):
        return os.path.abspath(value) if name == "output_directory" else str(value)
    if value is None or isinstance(value, str | bool | int | float):
        return value
    return str(value)
