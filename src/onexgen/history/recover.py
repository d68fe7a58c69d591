"""Write a recorded session's node back to disk, exactly as generated (``onexgen recover``)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from onexgen.history.store import HistoryError, sha256_text

if TYPE_CHECKING:
    from onexgen.history.models import ModelSessionDetail


class RecoverError(HistoryError):
    """The session cannot be restored (no files, damaged history, target in the way)."""


def default_output_dir(detail: ModelSessionDetail) -> Path:
    """Where the session meant to write its node."""
    recorded = detail.options.get("output_dir")
    if isinstance(recorded, str) and recorded:
        return Path(recorded)
    if detail.node_path:
        return Path(detail.node_path).parent
    return Path("generated_nodes")


def recover_session(detail: ModelSessionDetail, output_dir: Path, *, force: bool) -> Path:
    """Write the files of ``detail`` (loaded with content) atomically; return the node path.

    Every file's content is checked against its recorded hash before anything is written, and
    the written bytes are checked again afterwards.
    """
    from onexgen.writing.atomic_writer import AtomicNodeWriter, NodeWriteError

    if not detail.files:
        raise RecoverError(
            f"session {detail.id} has no recorded files (it ended before its node was rendered)"
        )
    if not detail.package_name:
        raise RecoverError(f"session {detail.id} has no package name to write the node under")
    files: list[tuple[str, str]] = []
    for item in detail.files:
        if item.content is None or sha256_text(item.content) != item.sha256:
            raise RecoverError(
                f"the recorded content of {item.path} does not match its hash; "
                "the history database is damaged, nothing was written"
            )
        files.append((item.path, item.content))
    try:
        with AtomicNodeWriter(output_dir, detail.package_name, force=force) as writer:
            writer.stage(files)
            target = writer.commit()
    except NodeWriteError as exc:
        hint = " (pass --force to replace it)" if "exists" in str(exc) else ""
        raise RecoverError(f"{exc}{hint}") from exc
    for item in detail.files:
        written = hashlib.sha256((target / item.path).read_bytes()).hexdigest()
        if written != item.sha256:
            raise RecoverError(f"{target / item.path} differs from the recorded file after writing")
    return target
