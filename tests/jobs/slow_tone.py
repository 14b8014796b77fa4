"""A test engine for worker processes: a tone per text, a little slow, and a log of every call.

Plugged in with VOXWEAVE_ENGINE_PLUGINS="slowtone=tests.jobs.slow_tone:SlowToneEngine". Each call
sleeps SLOW_TONE_DELAY seconds and appends [pid, text] as one JSON line to the file SLOW_TONE_LOG,
so calls can be counted across processes (one short O_APPEND write per line: lines never interleave).
"""

from __future__ import annotations

import json
import os
import time

import numpy as np

from voxweave.tts.base import Availability, Speech, Voice

RATE = 24_000
SECONDS_PER_CHAR = 0.02
LOG_VARIABLE = "SLOW_TONE_LOG"
DELAY_VARIABLE = "SLOW_TONE_DELAY"


class SlowToneEngine:
    name = "slowtone"
    max_chars = 200
    sample_rate = RATE

    def __init__(self, settings: object = None) -> None:
        self.calls = 0

    def available(self) -> Availability:
        return Availability(True)

    def voices(self) -> list[Voice]:
        return [Voice(id="slowtone:a4", name="a4")]

    def default_voice(self) -> str:
        return "a4"

    def synthesize(self, text: str, voice: str, speed: float = 1.0) -> Speech:
        log = os.environ.get(LOG_VARIABLE)
        if log:
            line = (json.dumps([os.getpid(), text]) + "\n").encode("utf-8")
            descriptor = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(descriptor, line)
            finally:
                os.close(descriptor)
        time.sleep(float(os.environ.get(DELAY_VARIABLE, "0")))
        self.calls += 1
        frames = int(len(text.strip()) * SECONDS_PER_CHAR / speed * RATE)
        t = np.arange(frames) / RATE
        return Speech(samples=(0.2 * np.sin(2 * np.pi * 440.0 * t)).astype(np.float32), sample_rate=RATE)


def read_log(path) -> list[tuple[int, str]]:
    """The calls logged so far, as (pid, text)."""
    try:
        lines = open(path, encoding="utf-8").read().splitlines()
    except FileNotFoundError:
        return []
    return [tuple(json.loads(line)) for line in lines if line.strip()]
