"""A yardstick for speech in tests: an offline recogniser (pocketsphinx) and a word-overlap score.

pocketsphinx is weak (it hears about two words in three of clear speech) but tells speech from
silence and noise; compare scores with thresholds measured here, not with 1.0.
Test dependency: `pip install pocketsphinx` (ships its English model; nothing downloads).
"""

from __future__ import annotations

import functools
import re
from collections import Counter

import numpy as np

RECOGNISER_RATE = 16_000
#: Kokoro jm_kumo's test sentence scores about 0.8 (see tests/tts/test_kokoro_onnx.py); half of that
#: with margin tells intelligible speech, and silence and white noise score 0 to 0.1.
SPEECH_MIN_OVERLAP = 0.4
_LOWPASS_TAPS = 101
_WORD = re.compile(r"[a-z0-9']+")


@functools.lru_cache(maxsize=1)
def _decoder():
    from pocketsphinx import Decoder

    return Decoder(samprate=RECOGNISER_RATE, loglevel="FATAL")


def to_recogniser_pcm(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    """Mono int16 at 16 kHz: low-passed below the new Nyquist, then linearly interpolated."""
    audio = np.asarray(samples, dtype=np.float64)
    if audio.ndim > 1:
        audio = audio.mean(axis=1)
    if sample_rate != RECOGNISER_RATE and len(audio):
        if sample_rate > RECOGNISER_RATE:
            audio = _lowpass(audio, cutoff=0.45 * RECOGNISER_RATE / sample_rate)
        count = int(round(len(audio) * RECOGNISER_RATE / sample_rate))
        audio = np.interp(np.arange(count) * sample_rate / RECOGNISER_RATE, np.arange(len(audio)), audio)
    return (np.clip(audio, -1.0, 1.0) * 32767).astype(np.int16)


def _lowpass(audio: np.ndarray, cutoff: float) -> np.ndarray:
    """Windowed-sinc FIR; `cutoff` in cycles per sample."""
    n = np.arange(_LOWPASS_TAPS) - (_LOWPASS_TAPS - 1) / 2
    kernel = 2 * cutoff * np.sinc(2 * cutoff * n) * np.hamming(_LOWPASS_TAPS)
    return np.convolve(audio, kernel / kernel.sum(), mode="same")


def transcribe(samples: np.ndarray, sample_rate: int) -> str:
    """What pocketsphinx hears in float samples (in [-1, 1]) at any rate; "" for nothing."""
    pcm = to_recogniser_pcm(samples, sample_rate)
    decoder = _decoder()
    decoder.start_utt()
    decoder.process_raw(pcm.tobytes(), full_utt=True)
    decoder.end_utt()
    hypothesis = decoder.hyp()
    return hypothesis.hypstr if hypothesis is not None else ""


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def word_overlap(expected: str, heard: str) -> float:
    """The share of expected words that were heard (each counted as often as it occurs), 0.0 to 1.0."""
    wanted = Counter(words(expected))
    if not wanted:
        return 0.0
    return sum((wanted & Counter(words(heard))).values()) / sum(wanted.values())


def rms(samples: np.ndarray) -> float:
    audio = np.asarray(samples, dtype=np.float64)
    return float(np.sqrt(np.mean(audio**2))) if len(audio) else 0.0
