"""Child process of ``onexgen run``: one ``RuntimeLocal`` run, its outcome as one JSON line.

Runs in a process of its own (through ``validation.tools.run_tool``) so the node's imports,
its ``PYTHONPATH`` and anything it leaves behind never touch the caller.
Usage: ``python -m onexgen.running.child CONTRACT INPUT STATE_ROOT TIMEOUT``.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path


class _ErrorRecords(logging.Handler):
    """Keeps the runtime's error records: a failing handler's exception is logged, not raised."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def last(self) -> str | None:
        """The most specific error: the exception of the last record, else its message."""
        for record in reversed(self.records):
            if record.exc_info and record.exc_info[1] is not None:
                exc = record.exc_info[1]
                return f"{type(exc).__name__}: {exc}"
        return self.records[-1].getMessage() if self.records else None


def main(argv: list[str]) -> int:
    """Run the contract with the input; print ``{"result", "last_error", "handler_result"}``."""
    from omnibase_core.runtime.runtime_local import RuntimeLocal

    contract, input_path, state_root, timeout = argv
    errors = _ErrorRecords()
    logging.getLogger().addHandler(errors)
    runtime = RuntimeLocal(
        Path(contract),
        input_path=Path(input_path),
        state_root=Path(state_root),
        timeout=int(float(timeout)),
    )
    result = runtime.run()
    state_file = Path(state_root) / "workflow_result.json"
    state = json.loads(state_file.read_text(encoding="utf-8")) if state_file.is_file() else {}
    record = {
        "result": result.value,
        "last_error": runtime.last_error or errors.last(),
        "handler": ", ".join(getattr(runtime, "_handlers_wired", []) or []),
        "handler_result": state.get("handler_result"),
    }
    sys.stdout.write(json.dumps(record) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
