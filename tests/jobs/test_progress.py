"""Progress from narrate()'s events: forward only, below 1.0 until the runner says done, ETA from this run."""

from __future__ import annotations

import pytest

from voxweave.jobs.progress import ENCODED, NarrationProgress
from voxweave.narrate import Progress


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_reused_chunks_do_not_distort_the_eta_and_the_fraction_only_moves_forward():
    clock, calls = Clock(), [0]
    tracker = NarrationProgress("wav", 1.0, lambda: calls[0], clock)
    snapshots = []
    for chunk in range(1, 11):  # ten chunks of 100 characters: five reused, then five made in 1 s each
        if chunk <= 5:
            clock.now += 0.001
        else:
            clock.now += 1.0
            calls[0] += 1
        snapshots.append(tracker.update(Progress("synthesise", chunk * 100, 1000, chunk, 10)))

    assert all(s.eta_seconds is None for s in snapshots[:5])  # nothing measured yet in this run
    encode_guess = 1000 / 15 / 2000
    assert snapshots[5].eta_seconds == pytest.approx(4 + encode_guess, rel=0.01)
    assert snapshots[7].eta_seconds == pytest.approx(2 + encode_guess, rel=0.01)
    for stage in ("encode", "subtitles", "done"):
        snapshots.append(tracker.update(Progress(stage, 0, 1, 10, 10)))
    fractions = [s.fraction for s in snapshots]
    assert fractions == sorted(fractions) and max(fractions) == ENCODED < 1.0
    assert snapshots[9].fraction == pytest.approx(0.97)  # synthesis fills the bar up to the encoding's share
    assert snapshots[10].eta_seconds >= 1.0  # encoding still shows time left


def test_a_later_lower_event_never_moves_the_fraction_back():
    calls = [0]
    tracker = NarrationProgress("m4b", 1.0, lambda: calls[0], Clock())
    assert tracker.update(Progress("synthesise", 500, 1000)).fraction == pytest.approx(0.45)
    assert tracker.update(Progress("synthesise", 100, 1000)).fraction == pytest.approx(0.45)
