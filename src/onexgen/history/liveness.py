"""Who owns a running session, and whether that process still lives (restart safety).

A session records ``host:pid:start`` of the process that runs it. The process start time (from
``/proc``) guards against a recycled pid: a new process with the same pid is not the owner.
Sessions of other hosts are never judged: their owner may well be alive.
"""

from __future__ import annotations

import os
import socket


def _start_ticks(pid: int) -> str | None:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            stat = handle.read()
    except OSError:
        return None
    # Field 22 (starttime) counted after the parenthesised command name, which may hold spaces.
    fields = stat.rpartition(")")[2].split()
    return fields[19] if len(fields) > 19 else None


def owner_token(pid: int | None = None) -> str:
    """``host:pid:start`` of this process (or of ``pid``)."""
    pid = os.getpid() if pid is None else pid
    return f"{socket.gethostname()}:{pid}:{_start_ticks(pid) or '-'}"


def owner_alive(token: str) -> bool:
    """False only when ``token`` names a process on this host that is gone (or was replaced)."""
    parts = token.rsplit(":", 2)
    if len(parts) != 3:
        return True
    host, pid_text, start = parts
    if host != socket.gethostname() or not pid_text.isdigit():
        return True
    pid = int(pid_text)
    ticks = _start_ticks(pid)
    if ticks is None:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return start == "-"
    return start in {"-", ticks}
