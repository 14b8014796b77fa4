from __future__ import annotations

import numpy as np

from voxweave.chunkstore import ChunkStore, speech_key
from voxweave.tts.base import Speech, WordTiming


def test_a_stored_chunk_comes_back_with_its_words(tmp_path):
    store = ChunkStore(tmp_path)
    speech = Speech(np.linspace(-0.5, 0.5, 2400, dtype=np.float32), 24_000, (WordTiming("hi", 0.0, 0.05),))
    key = speech_key("tone", "a4", 1.0, "hi")
    store.put(3, key, speech)
    back = store.get(3, key)
    assert back is not None and back.sample_rate == 24_000 and back.words == speech.words
    assert np.max(np.abs(back.samples - speech.samples)) < 1e-4


def test_keys_separate_engine_voice_speed_and_text():
    keys = {speech_key(*args) for args in [("a", "v", 1.0, "t"), ("b", "v", 1.0, "t"), ("a", "w", 1.0, "t"),
                                             ("a", "v", 1.1, "t"), ("a", "v", 1.0, "u")]}
    assert len(keys) == 5


def test_a_damaged_chunk_is_treated_as_missing(tmp_path):
    store = ChunkStore(tmp_path)
    key = speech_key("tone", "a4", 1.0, "x")
    store.put(0, key, Speech(np.zeros(10, dtype=np.float32), 24_000))
    next(tmp_path.glob("*.npz")).write_bytes(b"garbage")
    assert store.get(0, key) is None
    assert store.get(1, key) is None
