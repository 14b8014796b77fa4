"""The speech cache: a sentence in a voice is synthesised once across jobs and previews; the size stays bounded."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from voxweave.speech_cache import CachedEngine, SpeechCache
from voxweave.tts.base import Engine, Speech


@pytest.fixture
def cache(tmp_path):
    return SpeechCache(tmp_path / "speech", max_bytes=10 * 1024 * 1024)


def test_a_cached_sentence_is_not_synthesised_again(tone_engine, cache, tmp_path):
    first = CachedEngine(tone_engine, cache)
    assert isinstance(first, Engine) and first.name == "tone" and first.sample_rate == tone_engine.sample_rate
    spoken = first.synthesize("The harbour was quiet.", "a4")
    cache.flush()
    # Another job, even another process, sharing the folder: same text with other spacing, same voice.
    again = CachedEngine(tone_engine, SpeechCache(tmp_path / "speech", max_bytes=10 * 1024 * 1024))
    reused = again.synthesize("  The harbour  was\nquiet. ", "a4")
    assert tone_engine.calls == ["The harbour was quiet."]
    assert len(reused.samples) == len(spoken.samples) and np.allclose(reused.samples, spoken.samples, atol=1e-4)


def test_another_voice_or_speed_is_synthesised(tone_engine, cache):
    engine = CachedEngine(tone_engine, cache)
    engine.synthesize("Hello there.", "a4")
    engine.synthesize("Hello there.", "c5")
    engine.synthesize("Hello there.", "a4", speed=1.2)
    cache.flush()
    assert len(tone_engine.calls) == 3 and len(cache) == 3


def test_eviction_keeps_the_size_bounded_and_the_recently_used(tone_engine, tmp_path):
    probe = SpeechCache(tmp_path / "probe", max_bytes=1 << 30)
    CachedEngine(tone_engine, probe).synthesize("Sentence 00 of the cache test.", "a4")
    probe.flush()
    entry = probe.size_bytes
    cache = SpeechCache(tmp_path / "speech", max_bytes=int(entry * 4.5))
    engine = CachedEngine(tone_engine, cache)
    texts = [f"Sentence {i:02d} of the cache test." for i in range(12)]
    for i, text in enumerate(texts):
        engine.synthesize(text, "a4")
        engine.synthesize(texts[0], "a4")  # the first one stays in use
        cache.flush()
        assert cache.size_bytes <= cache.max_bytes
    assert len(cache) == 4
    stored = list((tmp_path / "speech").rglob("*.npz"))
    assert len(stored) == 4 and sum(p.stat().st_size for p in stored) <= cache.max_bytes
    calls = len(tone_engine.calls)
    engine.synthesize(texts[0], "a4")
    engine.synthesize(texts[-1], "a4")
    assert len(tone_engine.calls) == calls  # both kept
    engine.synthesize(texts[1], "a4")
    assert len(tone_engine.calls) == calls + 1  # long evicted


def test_threads_asking_for_the_same_sentence_synthesise_it_once(tone_engine, cache):
    engine = CachedEngine(tone_engine, cache)
    barrier = threading.Barrier(8)

    def speak():
        barrier.wait()
        engine.synthesize("All at once.", "a4")

    threads = [threading.Thread(target=speak) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert tone_engine.calls == ["All at once."]


def test_a_lost_or_damaged_file_is_a_miss(tone_engine, cache):
    engine = CachedEngine(tone_engine, cache)
    engine.synthesize("Fragile words.", "a4")
    cache.flush()
    for path in cache.folder.rglob("*.npz"):
        path.write_bytes(b"not audio")
    engine.synthesize("Fragile words.", "a4")
    cache.flush()
    assert len(tone_engine.calls) == 2 and len(cache) == 1


def test_a_failing_cache_does_not_fail_synthesis(tone_engine, cache, monkeypatch):
    from voxweave.errors import OutputError

    def full(*_args):
        raise OutputError("disk full")

    monkeypatch.setattr(cache, "put", full)
    speech = CachedEngine(tone_engine, cache).synthesize("Still spoken.", "a4")
    cache.flush()
    assert isinstance(speech, Speech) and len(speech.samples) > 0 and len(cache) == 0


def test_settings_choose_the_size_or_turn_it_off(tmp_path):
    class Config:
        data_dir = tmp_path
        cache_dir = tmp_path / "cache"
        speech_cache_mb = 2

    made = SpeechCache.from_settings(Config())
    assert made.max_bytes == 2 * 1024 * 1024 and made.folder == tmp_path / "cache" / "speech"
    Config.speech_cache_mb = 0
    assert SpeechCache.from_settings(Config()) is None
