"""What every speech engine is and returns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np


@dataclass(frozen=True)
class WordTiming:
    """One spoken word, in seconds from the start of its Speech."""

    word: str
    start: float
    end: float


@dataclass(frozen=True)
class Speech:
    """Mono float32 samples in [-1, 1] at `sample_rate`, with word timings when the engine gives them."""

    samples: np.ndarray
    sample_rate: int
    words: tuple[WordTiming, ...] | None = None

    @property
    def duration(self) -> float:
        return len(self.samples) / self.sample_rate


@dataclass(frozen=True)
class Availability:
    ok: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.ok


@dataclass(frozen=True)
class Voice:
    """A voice an engine offers. `id` is the full `engine:name` string."""

    id: str
    name: str
    language: str = "en"
    gender: str | None = None
    description: str = ""


@runtime_checkable
class Engine(Protocol):
    """A speech engine. Heavy models load lazily and once; importing the module never loads one."""

    name: str
    #: The longest text (in characters) that one synthesize call accepts reliably.
    max_chars: int
    #: The sample rate of every Speech it returns.
    sample_rate: int

    def available(self) -> Availability: ...

    def voices(self) -> list[Voice]: ...

    def default_voice(self) -> str: ...

    def synthesize(self, text: str, voice: str, speed: float = 1.0) -> Speech:
        """Speak `text` with `voice` (a name of this engine, or a blend spec) at `speed` (1.0 = normal)."""
        ...
