"""The speech yardstick itself: it hears clear speech (tests/tts) and rejects silence and noise."""

from __future__ import annotations

import numpy as np
import pytest

from tests.speech_check import RECOGNISER_RATE, SPEECH_MIN_OVERLAP, rms, to_recogniser_pcm, transcribe, word_overlap

SENTENCE = "Please call me tomorrow morning at the office."


def test_word_overlap_counts_the_expected_words_heard():
    assert word_overlap("The cat sat on the mat.", "the cat sat on the mat") == 1.0
    assert word_overlap("The cat sat on the mat.", "a cat sat") == pytest.approx(2 / 6)
    assert word_overlap("the the the", "the") == pytest.approx(1 / 3)
    assert word_overlap("Hello!", "") == 0.0
    assert word_overlap("", "anything") == 0.0


def test_audio_is_converted_to_16_khz_int16():
    rate = 24_000
    tone = 0.5 * np.sin(2 * np.pi * 440 * np.arange(rate) / rate)
    pcm = to_recogniser_pcm(tone.astype(np.float32), rate)
    assert pcm.dtype == np.int16 and len(pcm) == RECOGNISER_RATE
    assert 0.3 < rms(pcm / 32767) < 0.4  # a 440 Hz tone passes the low-pass untouched
    assert len(to_recogniser_pcm(np.zeros(22_050, np.float32), 22_050)) == RECOGNISER_RATE


@pytest.mark.parametrize("kind", ["silence", "white noise"])
def test_silence_and_noise_do_not_pass_for_speech(kind):
    rate = 24_000
    if kind == "silence":
        audio = np.zeros(3 * rate, dtype=np.float32)
    else:
        audio = np.random.default_rng(7).normal(0.0, 0.1, 3 * rate).astype(np.float32)
    assert word_overlap(SENTENCE, transcribe(audio, rate)) < SPEECH_MIN_OVERLAP
