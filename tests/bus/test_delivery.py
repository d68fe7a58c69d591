"""The one delivery policy both adapters run (``GroupMembers``): commit only after the handler
or the dead letter, retry then dead-letter, give a message back when its handler is cancelled."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from omnibase_core.models.event_bus.model_event_headers import ModelEventHeaders
from omnibase_core.models.event_bus.model_event_message import ModelEventMessage

from onexgen.bus.delivery import GroupMembers, Received
from onexgen.bus.messages import MessageDecodeError, now_utc
from onexgen.bus.port import ModelRetryPolicy

if TYPE_CHECKING:
    from collections.abc import Callable

    from onexgen.bus.delivery import Fetch, ModelDeadLetter

NO_WAIT = ModelRetryPolicy(max_attempts=3, initial_backoff_seconds=0.0)


def message(value: bytes) -> ModelEventMessage:
    headers = ModelEventHeaders(source="test", event_type="requests", timestamp=now_utc())
    return ModelEventMessage(
        topic="requests", key=b"k", value=value, headers=headers, offset="0", partition=0
    )


class Source:
    """Hands out its messages once each and records what was committed and given back."""

    def __init__(self, *values: bytes) -> None:
        self.waiting = [message(value) for value in values]
        self.log: list[tuple[str, bytes]] = []

    def fetch(self) -> Fetch:
        async def fetch() -> list[Received]:
            if not self.waiting:
                await asyncio.sleep(0.01)
                return []
            item = self.waiting.pop(0)

            async def commit() -> None:
                self.log.append(("commit", item.value))

            def give_back() -> None:
                self.log.append(("give_back", item.value))

            return [Received(item, commit, give_back)]

        return fetch


async def until(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    async with asyncio.timeout(seconds):
        while not condition():
            await asyncio.sleep(0.005)


def test_commit_follows_the_handler_and_the_dead_letter() -> None:
    async def main() -> tuple[list[tuple[str, bytes]], list[str], list[tuple[bytes, int]]]:
        source = Source(b"ok", b"flaky", b"poison", b"broken")
        handled: list[str] = []
        attempts: dict[bytes, int] = {}
        letters: list[tuple[bytes, int]] = []

        async def handler(received: ModelEventMessage) -> None:
            attempts[received.value] = attempts.get(received.value, 0) + 1
            if received.value == b"poison":
                raise MessageDecodeError("not ours")
            if received.value == b"broken" or (
                received.value == b"flaky" and attempts[b"flaky"] < 2
            ):
                raise RuntimeError("failed")
            # Nothing is committed while its handler runs.
            assert ("commit", received.value) not in source.log
            handled.append(received.value.decode())

        async def send(failed: ModelEventMessage, letter: ModelDeadLetter) -> None:
            assert ("commit", failed.value) not in source.log  # dead letter first, then commit
            letters.append((letter.value_bytes(), letter.retry_count))

        members = GroupMembers()
        members.add(
            source.fetch(), handler, NO_WAIT, group="g", send_dead_letter=send, name="member"
        )
        await until(lambda: len(source.log) == 4)
        await members.drain(1.0)
        return source.log, handled, letters

    log, handled, letters = asyncio.run(main())
    assert log == [("commit", v) for v in (b"ok", b"flaky", b"poison", b"broken")]
    assert handled == ["ok", "flaky"]  # flaky succeeded on its second attempt
    assert letters == [(b"poison", 1), (b"broken", NO_WAIT.max_attempts)]


def test_a_handler_cancelled_by_draining_gives_its_message_back_uncommitted() -> None:
    async def main() -> list[tuple[str, bytes]]:
        source = Source(b"slow")
        started = asyncio.Event()

        async def handler(_received: ModelEventMessage) -> None:
            started.set()
            await asyncio.Event().wait()  # never finishes

        async def send(_failed: ModelEventMessage, _letter: ModelDeadLetter) -> None:
            raise AssertionError("a cancelled handler is not a failure")

        members = GroupMembers()
        members.add(
            source.fetch(), handler, NO_WAIT, group="g", send_dead_letter=send, name="member"
        )
        await asyncio.wait_for(started.wait(), 5)
        await members.drain(0.05)
        return source.log

    assert asyncio.run(main()) == [("give_back", b"slow")]


def test_in_process_group_hands_a_cancelled_message_to_the_next_member() -> None:
    """The first member leaves mid-message: it goes to the other member, and so does every
    later message (the group's queue outlives the member that created it)."""
    from onexgen.bus.inmemory import InMemoryEventBus

    async def main() -> list[bytes]:
        bus = InMemoryEventBus()
        await bus.start()
        started = asyncio.Event()
        second: list[bytes] = []
        release = asyncio.Event()

        async def stuck(_received: ModelEventMessage) -> None:
            started.set()
            await asyncio.Event().wait()

        async def later(received: ModelEventMessage) -> None:
            await release.wait()  # not before the first member took the first message
            second.append(received.value)

        try:
            leave = await bus.subscribe(["t"], "g", stuck, dead_letter_topic=lambda _: None)
            await bus.publish("t", b"k", b"first")
            await asyncio.wait_for(started.wait(), 5)
            await bus.subscribe(["t"], "g", later, dead_letter_topic=lambda _: None)
            await leave()
            release.set()
            await bus.publish("t", b"k", b"second")
            await until(lambda: len(second) == 2)
        finally:
            await bus.close()
        return second

    assert asyncio.run(main()) == [b"first", b"second"]
