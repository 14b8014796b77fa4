"""One speaker at a time, most urgent first: previews jump ahead of the chunks of long jobs.

A narration job asks the gate for every chunk it speaks; a preview asks with a higher priority and
is served as soon as the chunk in progress ends, before any chunk that was waiting.
"""

from __future__ import annotations

import heapq
import itertools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

#: Lower goes first.
PREVIEW, JOB = 0, 10


class PriorityGate:
    """A lock whose waiters are served by priority, then by arrival."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._busy = False
        self._waiting: list[tuple[int, int]] = []
        self._tickets = itertools.count()

    @contextmanager
    def hold(self, priority: int = JOB) -> Iterator[None]:
        ticket = (priority, next(self._tickets))
        with self._condition:
            heapq.heappush(self._waiting, ticket)
            try:
                while self._busy or self._waiting[0] != ticket:
                    self._condition.wait()
            except BaseException:
                self._waiting.remove(ticket)
                heapq.heapify(self._waiting)
                self._condition.notify_all()
                raise
            heapq.heappop(self._waiting)
            self._busy = True
        try:
            yield
        finally:
            with self._condition:
                self._busy = False
                self._condition.notify_all()

    @property
    def waiting(self) -> int:
        with self._condition:
            return len(self._waiting)


class GatedEngine:
    """An engine whose every synthesis passes through `gate` at `priority`; everything else passes through."""

    def __init__(self, engine: Any, gate: PriorityGate, priority: int = JOB) -> None:
        self.engine = engine
        self.gate = gate
        self.priority = priority

    def synthesize(self, text: str, voice: str, speed: float = 1.0):
        with self.gate.hold(self.priority):
            return self.engine.synthesize(text, voice, speed)

    def __getattr__(self, attribute: str) -> Any:
        if attribute == "engine":  # not yet set during unpickling or early failures
            raise AttributeError(attribute)
        return getattr(self.engine, attribute)
