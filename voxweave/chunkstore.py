"""Finished chunks kept on disk, so that a narration interrupted anywhere resumes where it stopped.

Each chunk is stored under its index and a key derived from what produced it (engine, voice, speed,
text): a chunk made with other settings is never reused by mistake.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np

from voxweave.errors import OutputError
from voxweave.tts.base import Speech, WordTiming


PCM16_SCALE = 32767.0


def _to_pcm16(samples: np.ndarray) -> np.ndarray:
    return np.round(np.clip(np.asarray(samples, dtype=np.float32), -1.0, 1.0) * PCM16_SCALE).astype(np.int16)


def speech_key(engine: str, voice: str, speed: float, text: str) -> str:
    """A stable digest of everything that decides a chunk's audio."""
    payload = json.dumps([engine, voice, round(speed, 4), text], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def save_speech(path: Path, speech: Speech) -> None:
    """Write `speech` to `path` (.npz) atomically: a crash leaves the old file or none, never half."""
    words = speech.words or ()
    temporary = path.with_name(f".{path.name}.partial")
    try:
        with open(temporary, "wb") as handle:
            np.savez(
                handle,
                # 16-bit like the final track: half the disk of float32, no audible difference.
                samples=_to_pcm16(speech.samples),
                sample_rate=np.int64(speech.sample_rate),
                has_words=np.bool_(speech.words is not None),
                words=np.array([w.word for w in words], dtype=str),
                starts=np.array([w.start for w in words], dtype=np.float64),
                ends=np.array([w.end for w in words], dtype=np.float64),
            )
        os.replace(temporary, path)
    except OSError as e:
        temporary.unlink(missing_ok=True)
        raise OutputError(f"cannot save synthesised audio to {path.parent}: {e.strerror or e}") from e


def load_speech(path: Path) -> Speech | None:
    """Read a chunk written by save_speech; None if it is missing or unreadable (then it is redone)."""
    try:
        with np.load(path) as data:
            words = None
            if bool(data["has_words"]):
                words = tuple(
                    WordTiming(str(w), float(s), float(e))
                    for w, s, e in zip(data["words"], data["starts"], data["ends"])
                )
            samples = data["samples"].astype(np.float32) / PCM16_SCALE
            return Speech(samples=samples, sample_rate=int(data["sample_rate"]), words=words)
    except (OSError, ValueError, KeyError, EOFError):
        return None


class ChunkStore:
    """A folder of finished chunks of one narration: `get` what is done, `put` what was just made."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    def _path(self, index: int, key: str) -> Path:
        return self.folder / f"{index:06d}-{key[:16]}.npz"

    def get(self, index: int, key: str) -> Speech | None:
        return load_speech(self._path(index, key))

    def put(self, index: int, key: str, speech: Speech) -> None:
        save_speech(self._path(index, key), speech)

    def count(self) -> int:
        return sum(1 for _ in self.folder.glob("*.npz"))

    def clear(self) -> None:
        """Remove every stored chunk (after the narration's outputs are complete)."""
        for path in self.folder.glob("*.npz"):
            path.unlink(missing_ok=True)
