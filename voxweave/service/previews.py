"""Voice previews: a short passage spoken by one voice, made once and then served from the caches.

A preview asks the speech gate with the preview priority, so on a busy server it is spoken as soon
as the chunk in progress ends, ahead of the rest of any long job. Every clip is kept in the shared
speech cache (on disk) and the last few as WAV bytes in memory, so a second listen costs nothing.
"""

from __future__ import annotations

import io
import threading
import time
import wave
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from voxweave.speech_cache import CachedEngine, SpeechCache, normalise_text
from voxweave.tts.base import Speech
from voxweave.tts.gate import PREVIEW, GatedEngine, PriorityGate

#: The longest passage a preview speaks (a paragraph; whole documents are jobs).
MAX_PREVIEW_CHARS = 600
MEMORY_ITEMS = 128

Resolver = Callable[[str], tuple[Any, Any]]


@dataclass(frozen=True)
class Preview:
    voice: str  # the full voice id, engine:voice
    speed: float
    text: str
    wav: bytes
    seconds: float  # length of the audio
    latency: float  # seconds it took to have it
    cached: bool  # True when nothing was synthesised for it


def speech_to_wav(speech: Speech) -> bytes:
    """16-bit mono WAV bytes, what a browser's audio player takes."""
    pcm = (np.clip(np.asarray(speech.samples, dtype=np.float32), -1.0, 1.0) * 32767).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(int(speech.sample_rate))
        out.writeframes(pcm.tobytes())
    return buffer.getvalue()


class _TimedEngine(GatedEngine):
    """Speaks through the gate at preview priority and keeps how long the engine itself took."""

    def __init__(self, engine: Any, gate: PriorityGate) -> None:
        super().__init__(engine, gate, PREVIEW)
        self.seconds: float | None = None

    def synthesize(self, text: str, voice: str, speed: float = 1.0) -> Speech:
        with self.gate.hold(self.priority):
            started = time.perf_counter()
            speech = self.engine.synthesize(text, voice, speed)
            self.seconds = time.perf_counter() - started
        return speech


class Previewer:
    """Makes previews; safe to call from every session's thread at once."""

    def __init__(self, resolve: Resolver, gate: PriorityGate, cache: SpeechCache | None,
                 *, memory_items: int = MEMORY_ITEMS) -> None:
        self._resolve = resolve
        self._gate = gate
        self._cache = cache
        self._memory: OrderedDict[tuple[str, float, str], Preview] = OrderedDict()
        self._memory_items = memory_items
        self._lock = threading.Lock()
        self._rates: dict[str, float] = {}  # engine -> seconds of work per second of speech, as measured here
        self._loaded: set[str] = set()

    def preview(self, text: str, voice_id: str, speed: float = 1.0) -> Preview:
        """The preview of `text` by `voice_id` (VoiceError, EngineUnavailable, SynthesisError, ValueError)."""
        started = time.perf_counter()
        text = normalise_text(text)
        if not text:
            raise ValueError("type or pick a passage to preview")
        if len(text) > MAX_PREVIEW_CHARS:
            text = text[:MAX_PREVIEW_CHARS].rsplit(" ", 1)[0]
        engine, spec = self._resolve(voice_id)
        voice = f"{engine.name}:{spec.name}"
        memory_key = (voice, round(float(speed), 3), text)
        with self._lock:
            kept = self._memory.get(memory_key)
            if kept is not None:
                self._memory.move_to_end(memory_key)
        if kept is not None:
            return Preview(voice, kept.speed, text, kept.wav, kept.seconds, time.perf_counter() - started, True)

        timed = _TimedEngine(engine, self._gate)
        speech, cached = self._speak(timed, spec.name, text, speed)
        made = time.perf_counter() - started
        if timed.seconds is not None and speech.duration > 0:
            self._note_rate(engine.name, timed.seconds / speech.duration)
        result = Preview(voice, float(speed), text, speech_to_wav(speech), speech.duration, made, cached)
        with self._lock:
            self._memory[memory_key] = result
            while len(self._memory) > self._memory_items:
                self._memory.popitem(last=False)
        return result

    def _speak(self, timed: _TimedEngine, voice: str, text: str, speed: float) -> tuple[Speech, bool]:
        if self._cache is None:
            return timed.synthesize(text, voice, speed), False
        stored = self._cache.get(SpeechCache.key(timed.name, voice, speed, text))
        if stored is not None:
            return stored, True
        return CachedEngine(timed, self._cache).synthesize(text, voice, speed), False

    def _note_rate(self, engine: str, rate: float) -> None:
        # An engine's first call in this process loads its model: not what the next hour of work costs.
        with self._lock:
            if engine in self._loaded:
                self._rates[engine] = rate
            self._loaded.add(engine)

    def measured_rate(self, engine: str) -> float | None:
        """Seconds of work per second of speech, from this process's last uncached preview of `engine`."""
        with self._lock:
            return self._rates.get(engine)
