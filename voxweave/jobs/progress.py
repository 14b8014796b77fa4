"""A narration's progress as one fraction that only moves forward, and an ETA measured on this run.

narrate() yields characters done while synthesising, then an event before encoding and one before the
subtitles. Synthesis fills most of the bar; the encoding's share depends on the format (a WAV is a
copy, an AAC book is real work). The rate behind the ETA counts only chunks synthesised in this run:
chunks reused from an earlier run (or from the speech cache) pass in milliseconds and would make it lie.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

#: Where synthesis ends on the bar, by audio format; encoding takes the rest up to ENCODED.
SYNTH_SHARE = {"wav": 0.97, "flac": 0.94, "mp3": 0.9, "opus": 0.9, "m4b": 0.9}
DEFAULT_SYNTH_SHARE = 0.9
ENCODED = 0.99
#: Speech is about this many characters per second at speed 1 (to guess the encoding time).
CHARS_PER_SPOKEN_SECOND = 15.0
#: Seconds of audio encoded per second of work, by format (rough, for the ETA of the last stage).
ENCODE_SPEED = {"wav": 2000.0, "flac": 400.0, "mp3": 120.0, "opus": 120.0, "m4b": 120.0}
DEFAULT_ENCODE_SPEED = 120.0
#: An ETA is never shown below this while work remains.
MIN_ETA_SECONDS = 1.0


@dataclass(frozen=True)
class Snapshot:
    stage: str
    fraction: float
    eta_seconds: float | None


class NarrationProgress:
    """Maps narrate()'s Progress events to a Snapshot. `synthesis_calls` counts real engine calls so far."""

    def __init__(self, audio_format: str, speed: float, synthesis_calls: Callable[[], int],
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._share = SYNTH_SHARE.get(audio_format, DEFAULT_SYNTH_SHARE)
        self._encode_speed = ENCODE_SPEED.get(audio_format, DEFAULT_ENCODE_SPEED)
        self._speed = speed or 1.0
        self._calls = synthesis_calls
        self._clock = clock
        self._last_time = clock()
        self._last_calls = synthesis_calls()
        self._last_done = 0.0
        self._synth_chars = 0.0
        self._synth_seconds = 0.0
        self._total_chars = 0.0
        self._stage_started = self._last_time
        self._stage = ""
        self._fraction = 0.0

    def _encode_estimate(self) -> float:
        return self._total_chars / CHARS_PER_SPOKEN_SECOND / self._speed / self._encode_speed

    def update(self, event) -> Snapshot:  # event: voxweave.narrate.Progress
        now = self._clock()
        if event.stage != self._stage:
            self._stage, self._stage_started = event.stage, now
        if event.stage == "synthesise":
            self._total_chars = float(event.total)
            calls = self._calls()
            if calls > self._last_calls:  # this step made speech: it counts toward the rate
                self._synth_chars += event.done - self._last_done
                self._synth_seconds += now - self._last_time
            self._last_calls, self._last_done = calls, float(event.done)
            fraction = self._share * event.fraction
            eta = None
            if self._synth_chars > 0 and self._synth_seconds > 0:
                rate = self._synth_chars / self._synth_seconds
                eta = (event.total - event.done) / rate + self._encode_estimate()
        elif event.stage == "encode":
            fraction = self._share
            eta = self._encode_estimate() - (now - self._stage_started)
        elif event.stage == "subtitles":
            fraction, eta = ENCODED, 0.0
        else:  # done: the runner alone writes 1.0, when the job's row says done
            fraction, eta = ENCODED, 0.0
        self._last_time = now
        self._fraction = max(self._fraction, min(fraction, ENCODED))
        if eta is not None:
            eta = max(MIN_ETA_SECONDS, eta)
        return Snapshot(event.stage, self._fraction, eta)
