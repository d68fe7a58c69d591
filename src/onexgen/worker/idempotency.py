"""Which requests were already answered, keyed by operation and correlation id.

Why fed from the response topics and not only from this worker's own answers: after a worker is
killed between publishing a response and committing its offset, the group hands the request to
another member. That member has seen the response on the response topic (it follows them from
its start), so it skips the request instead of answering it twice. Bounded, oldest first out.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from uuid import UUID

    from onexgen.bus.topics import EnumCodegenOperation

DEFAULT_CAPACITY = 100_000


class AnsweredRequests:
    """A bounded set of (operation, correlation id) pairs that have a published response."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self._capacity = capacity
        self._seen: OrderedDict[tuple[str, UUID], None] = OrderedDict()

    def __len__(self) -> int:
        return len(self._seen)

    def answered(self, operation: EnumCodegenOperation, correlation_id: UUID) -> bool:
        """Whether a response to this request was published (by any worker seen so far)."""
        return (operation.value, correlation_id) in self._seen

    def record(self, operation: EnumCodegenOperation, correlation_id: UUID) -> None:
        """Remember a published response, dropping the oldest entry when full."""
        key = (operation.value, correlation_id)
        self._seen[key] = None
        self._seen.move_to_end(key)
        while len(self._seen) > self._capacity:
            self._seen.popitem(last=False)
