"""A narrated video end to end: fake cloud clips over real HTTP, local composition, fallback."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from voxweave.subtitles import Cue, write_subtitles
from voxweave.video.fake_cloud import TaskPlan
from voxweave.video.progress import decoded_duration
from voxweave.video.render import VideoOptions, make_video

NARRATION_SECONDS = 10.0


@pytest.fixture
def narration(tmp_path):
    audio = tmp_path / "story.wav"
    t = np.arange(int(NARRATION_SECONDS * 24_000)) / 24_000
    sf.write(audio, (0.2 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), 24_000)
    cues = [Cue(0.0, 4.5, "The kite rose over the hill."), Cue(5.0, 9.5, "The boat rested on the sand.")]
    return audio, write_subtitles(cues, tmp_path / "story.srt", "srt")


def test_cloud_clips_fill_the_narration(narration, zai, fake, poll_interval, tmp_path):
    audio, subtitles = narration
    options = VideoOptions(style="watercolour", max_scenes=2, clip_seconds=5.0, poll_interval=poll_interval)
    events = list(make_video(audio, subtitles, tmp_path / "story.mp4", options, provider=zai, workdir=tmp_path / "w"))
    result = events[-1].result
    assert result is not None and events[-1].fallback_reason is None
    assert [e.fraction for e in events] == sorted(e.fraction for e in events) and events[-1].fraction == 1.0
    assert events[-1].clips_total == 2 and fake.counters.submits == 2
    assert abs(decoded_duration(result.path) - NARRATION_SECONDS) < 0.1


def test_a_failing_cloud_falls_back_to_local_and_says_why(narration, zai, fake, poll_interval, tmp_path):
    audio, subtitles = narration
    fake.plan = TaskPlan(outcome="fail")
    options = VideoOptions(max_scenes=2, clip_seconds=5.0, poll_interval=poll_interval)
    events = list(make_video(audio, subtitles, tmp_path / "story.mp4", options, provider=zai, workdir=tmp_path / "w"))
    assert events[-1].result is not None and events[-1].result.path.exists()
    assert "made locally" in events[-1].fallback_reason


def test_without_fallback_the_cloud_error_is_raised(narration, zai, fake, poll_interval, tmp_path):
    audio, subtitles = narration
    fake.plan = TaskPlan(outcome="fail")
    options = VideoOptions(allow_fallback=False, max_scenes=1, poll_interval=poll_interval)
    with pytest.raises(Exception, match="(?i)fail"):
        list(make_video(audio, subtitles, tmp_path / "story.mp4", options, provider=zai, workdir=tmp_path / "w"))
    assert not (tmp_path / "story.mp4").exists()


def test_a_stop_request_is_not_fallen_back_from(narration, zai, fake, poll_interval, tmp_path):
    from voxweave.video.errors import Cancelled

    audio, subtitles = narration
    fake.plan = TaskPlan(outcome="never")
    options = VideoOptions(max_scenes=1, poll_interval=poll_interval)  # fallback allowed: still not used
    with pytest.raises(Cancelled):
        list(make_video(audio, subtitles, tmp_path / "story.mp4", options, provider=zai, workdir=tmp_path / "w",
                        should_stop=lambda: fake.counters.submits > 0))
    assert not (tmp_path / "story.mp4").exists()


def test_the_video_command_makes_a_local_video(narration, tmp_path, capsys):
    from voxweave.cli import EXIT_OK, main

    audio, subtitles = narration
    out = tmp_path / "story.mp4"
    assert main(["video", str(audio), "--subtitles", str(subtitles), "-o", str(out), "--quiet"]) == EXIT_OK
    assert abs(decoded_duration(out) - NARRATION_SECONDS) < 0.1


def test_the_video_command_refuses_a_cloud_without_a_key(narration, tmp_path, capsys, monkeypatch):
    from voxweave.cli import EXIT_USAGE, main

    monkeypatch.delenv("ZAI_API_KEY", raising=False)
    audio, _ = narration
    code = main(["video", str(audio), "--provider", "zai", "--no-fallback", "-o", str(tmp_path / "x.mp4"), "--quiet"])
    assert code == EXIT_USAGE and "ZAI_API_KEY" in capsys.readouterr().err
