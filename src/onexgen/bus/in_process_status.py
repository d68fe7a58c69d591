"""A local run's stage events through the in-process bus, to the display that follows them.

A local ``generate`` runs the pipeline in its own process, but its display does not listen to
the pipeline directly: the run's events are published as ``ModelSessionStatus`` envelopes on
the status topic of an in-process bus (:class:`~onexgen.bus.inmemory.InMemoryEventBus`, the
default adapter), by the same :class:`~onexgen.bus.status.StatusPublisher` a worker uses on
Kafka, and the display reads them back from that topic as the remote client does. Local and
remote runs so share one event path: what a display shows is what a worker would publish.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING
from uuid import UUID, uuid4

from onexgen.bus.topics import ModelCodegenTopics

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from onexgen.bus.port import EventBusPort, Tail
    from onexgen.models.generation import ModelProgressEvent

_LOG = logging.getLogger("onexgen.bus")
LOCAL_WORKER = "local"
SOURCE = "onexgen-cli"
DELIVERY_GRACE_SECONDS = 5.0
"""Longest the end of a run waits for the display to receive the events already published."""

type Display = Callable[[ModelProgressEvent], None]
type Attach = Callable[[Callable[[ModelProgressEvent], None]], Callable[[], None]]
"""A pipeline's ``subscribe``: registers a progress subscriber, returns its unsubscribe."""


class InProcessStatus:
    """Runs one local session with its stage events on an in-process bus; see the module."""

    def __init__(
        self, topics: ModelCodegenTopics | None = None, *, bus: EventBusPort | None = None
    ) -> None:
        """``bus``: an already started bus to publish on (kept open); by default each run
        starts its own in-process bus and closes it afterwards."""
        self._topics = topics or ModelCodegenTopics()
        self._bus = bus
        self._displays: list[Display] = []
        self.warnings: list[str] = []
        """Displays that raised: one line each (a broken display never fails a run)."""

    def subscribe(self, display: Display) -> None:
        """Show the session's stage events with ``display`` (called in order, one per event)."""
        self._displays.append(display)

    async def run[T](self, attach: Attach, work: Callable[[UUID], Awaitable[T]]) -> T:
        """``work(session_id)`` with the pipeline events of ``session_id`` on the bus.

        ``attach`` subscribes the bus publisher to the pipeline that ``work`` runs. Without a
        display nothing is published (``--json``: no bus is started at all).
        """
        session = uuid4()
        if not self._displays:
            return await work(session)
        from onexgen.bus.status import StatusPublisher

        bus, close = await self._open()
        tail = await bus.tail([self._topics.status])
        shown = _Count()
        reader = asyncio.create_task(self._show(tail, session, shown))
        publisher = StatusPublisher(bus, self._topics, source=SOURCE, worker=LOCAL_WORKER)
        publisher.begin(session)
        detach = attach(publisher.on_progress)
        try:
            result = await work(session)
        except BaseException:
            detach()
            await publisher.abandon(session)
            await _stop(reader, tail, close)
            raise
        detach()
        published = await publisher.end(session)
        await self._delivered(shown, published, reader)
        await _stop(reader, tail, close)
        return result

    async def _open(self) -> tuple[EventBusPort, Callable[[], Awaitable[None]]]:
        if self._bus is not None:
            return self._bus, _nothing
        from onexgen.bus.inmemory import InMemoryEventBus

        bus = InMemoryEventBus()
        await bus.start()
        return bus, bus.close

    async def _show(self, tail: Tail, session: UUID, shown: _Count) -> None:
        from onexgen.bus.status import session_status_of

        async for message in tail:
            status = session_status_of(message, self._topics.status)
            if status is None or status.event.correlation_id != session:
                continue
            for display in self._displays:
                try:
                    display(status.event)
                except Exception as exc:  # a broken progress view must not lose a node
                    _LOG.debug("progress display failed", exc_info=True)
                    name = getattr(display, "__name__", type(display).__name__)
                    self.warnings.append(
                        f"progress display {name} failed: {type(exc).__name__}: {exc}"
                    )
            shown.add()

    @staticmethod
    async def _delivered(shown: _Count, published: int, reader: asyncio.Task[None]) -> None:
        """Wait until the displays received every published event (the in-process bus has
        already queued them all for the reader, so this takes a few loop turns)."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(DELIVERY_GRACE_SECONDS):
                while shown.value < published and not reader.done():
                    await shown.changed()
        if shown.value < published:
            _LOG.warning("%d of %d stage events reached the display", shown.value, published)


class _Count:
    """How many events the displays have received, and a way to wait for the next one."""

    def __init__(self) -> None:
        self.value = 0
        self._event = asyncio.Event()

    def add(self) -> None:
        self.value += 1
        self._event.set()

    async def changed(self) -> None:
        await self._event.wait()
        self._event.clear()


async def _nothing() -> None:
    """Closing a bus the caller owns: nothing to do."""


async def _stop(
    reader: asyncio.Task[None], tail: Tail, close: Callable[[], Awaitable[None]]
) -> None:
    reader.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await reader
    with contextlib.suppress(Exception):
        await tail.close()
    await close()
