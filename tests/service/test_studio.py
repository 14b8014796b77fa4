"""The Studio facade on a temporary data folder, with the tone engine plugged in as any plugin is."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.jobs.conftest import book, wait_for
from voxweave.config import Settings
from voxweave.jobs import JobNotFound, NarrationRequest
from voxweave.service import DEFAULT_RATES, FALLBACK_RATE, NotAllowed, Studio
from voxweave.service.documents import estimate_audio_seconds
from voxweave.service.system import GpuStatus

PLUGINS = "tone=tests.conftest:ToneEngine,broken=tests.no_such_module:Engine"
ZAI_SECRET = "zai-secret-value-0123456789"


@pytest.fixture
def settings(tmp_path, monkeypatch) -> Settings:
    monkeypatch.setenv("VOXWEAVE_ENGINE_PLUGINS", PLUGINS)
    return Settings(data_dir=tmp_path / "data", default_voice="tone:a4", job_poll_seconds=0.05,
                    job_heartbeat_seconds=0.1)


@pytest.fixture
def studio(settings) -> Iterator[Studio]:
    built = Studio(settings)
    yield built
    built.close()


def test_the_first_start_makes_an_admin_and_tells_its_password_once(settings, capsys):
    first = Studio(settings, run_jobs=False)
    first.close()
    err = capsys.readouterr().err
    assert "log in as 'admin' with password" in err
    password = err.split("with password ", 1)[1].split()[0]
    assert first.accounts.verify("admin", password)
    assert first.users.is_admin("admin")

    Studio(settings, run_jobs=False).close()
    assert "password" not in capsys.readouterr().err


def test_engine_statuses_show_the_tone_engine_and_why_others_are_missing(studio):
    statuses = {s.name: s for s in studio.engine_statuses()}
    assert statuses["tone"].available
    assert not statuses["broken"].available
    assert "tests.no_such_module" in statuses["broken"].reason
    assert all(s.reason for s in statuses.values() if not s.available)  # every missing engine says why
    assert {"kokoro-onnx", "espeak", "piper"} <= set(statuses)  # the built-in ones are listed too


def test_voices_put_the_default_engines_first(studio):
    ids = [v.id for v in studio.voices()]
    assert ids[:2] == ["tone:a4", "tone:c5"]
    assert not any(i.startswith("broken:") for i in ids)


def test_video_providers_say_which_key_is_missing_and_never_show_a_key(studio, monkeypatch):
    monkeypatch.setenv("ZAI_API_KEY", ZAI_SECRET)
    monkeypatch.delenv("DASHSCOPE_API_KEY", raising=False)
    choices = {c.name: c for c in studio.video_providers()}
    assert list(choices) == ["local", "zai", "wan"]
    assert choices["local"].available and choices["zai"].available and choices["zai"].reason == ""
    assert not choices["wan"].available and "DASHSCOPE_API_KEY" in choices["wan"].reason
    assert studio.provider_available("local") and studio.provider_available("zai")
    assert not studio.provider_available("wan")
    keys = {k.provider: k.is_set for k in studio.cloud_keys()}
    assert keys == {"zai": True, "wan": False}
    assert ZAI_SECRET not in repr(studio.video_providers()) + repr(studio.cloud_keys())

    monkeypatch.setenv("ZAI_API_KEY", "   ")  # blank is not a key
    assert not studio.provider_available("zai")


def test_a_narration_is_made_and_only_its_owner_reads_it(studio):
    job_id = studio.submit_narration("ana", "story.md", book(6).encode(), NarrationRequest(audio_format="wav"))
    job = wait_for(lambda: (j := studio.job("ana", job_id)).status not in ("queued", "running") and j)
    assert job.status == "done", job.error
    outputs = studio.outputs("ana", job_id)
    assert {"audio", "subtitles.srt"} <= set(outputs)
    audio = studio.read_output("ana", job_id, "audio")
    assert audio[:4] == b"RIFF" and len(audio) > 1000
    assert b"Sentence one" in studio.read_output("ana", job_id, "subtitles.srt")
    assert [j.id for j in studio.finished_narrations("ana")] == [job_id]
    assert [j.id for j in studio.jobs_of("ana")] == [job_id]

    with pytest.raises(JobNotFound):
        studio.read_output("ben", job_id, "audio")
    with pytest.raises(JobNotFound):
        studio.job("ben", job_id)
    assert studio.jobs_of("ben") == []
    with pytest.raises(FileNotFoundError, match="no video file"):
        studio.read_output("ana", job_id, "video")


def test_queued_jobs_wait_without_a_runner_and_can_be_cancelled(settings):
    studio = Studio(settings, run_jobs=False)
    try:
        job_id = studio.submit_narration("ana", "story.md", book(2).encode(), NarrationRequest())
        time.sleep(0.2)
        assert studio.job("ana", job_id).status == "queued"
        assert studio.cancel("ana", job_id).status == "cancelled"
        studio.delete("ana", job_id)
        assert studio.jobs_of("ana") == []
    finally:
        studio.close()


def test_estimates_use_the_rate_measured_by_a_preview(studio):
    chars = 1500
    before = studio.estimate(chars, "tone:a4")
    assert not before.measured
    assert before.audio_seconds == pytest.approx(estimate_audio_seconds(chars))
    assert before.work_seconds == pytest.approx(before.audio_seconds * DEFAULT_RATES.get("tone", FALLBACK_RATE))
    assert studio.estimate(chars, "kokoro-onnx:jm_kumo").work_seconds == \
        pytest.approx(before.audio_seconds * DEFAULT_RATES["kokoro-onnx"])

    studio.preview("The first preview loads the model and is not counted.", "tone:a4")
    assert not studio.estimate(chars, "tone:a4").measured
    preview = studio.preview("A passage to measure this server by.", "tone:a4")
    after = studio.estimate(chars, "")  # an empty voice is the default voice
    assert after.measured
    assert 0 < after.work_seconds <= after.audio_seconds * preview.latency / preview.seconds


def test_a_voice_without_its_engine_is_estimated_with_the_default_engines_rate(studio):
    studio.preview("A first passage loads the model.", "tone:a4")
    studio.preview("A passage to measure this server by.", "tone:a4")
    assert studio.estimate(1500, "a4") == studio.estimate(1500, "tone:a4")


def test_choices_add_up_to_the_leaderboard(studio):
    studio.record_choice("ana", "tone:a4", "tone:c5", "tone:c5", "a passage")
    assert [(s.voice, s.wins) for s in studio.leaderboard()] == [("tone:c5", 1), ("tone:a4", 0)]
    assert studio.leaderboard("ben") == []


def test_only_an_admin_manages_users(studio):
    password = studio.users.add("admin", "ana", "Ana Member")
    assert studio.accounts.verify("ana", password)
    with pytest.raises(NotAllowed):
        studio.users.add("ana", "eve", "Eve")
    with pytest.raises(NotAllowed):
        studio.users.users("ana")


def test_gpu_status_reads_as_a_sentence(studio):
    status = studio.gpu()
    assert isinstance(status, GpuStatus)
    assert status.summary and status.onnx_providers
    if not status.available:  # this machine: speech runs on the CPU, and the summary says so
        assert "CPU" in status.summary or "cpu" in status.summary.lower()
    else:
        assert "GiB" in status.summary
    assert studio.gpu() is status  # checked once per process
