"""The exception tree of the library, written out in one place.

VoxweaveError
 +-- IngestError          a document cannot be read (names the file and the problem)
 +-- EngineError
 |    +-- EngineUnavailable  an engine is not installed, has no model, or failed to load
 |    +-- VoiceError         a voice id is malformed or unknown to its engine
 |    +-- SynthesisError     the engine failed on a piece of text
 +-- MediaError           ffmpeg is missing or failed (encoding, muxing)
 +-- OutputError          an output cannot be written (disk full, permission)
"""

from __future__ import annotations

from pathlib import Path


class VoxweaveError(Exception):
    """Base of every error this library raises on purpose."""


class IngestError(VoxweaveError):
    def __init__(self, path: Path | str | None, problem: str) -> None:
        self.path = Path(path) if path is not None else None
        self.problem = problem
        where = f"{self.path.name}: " if self.path is not None else ""
        super().__init__(f"{where}{problem}")


class EngineError(VoxweaveError):
    pass


class EngineUnavailable(EngineError):
    pass


class VoiceError(EngineError):
    pass


class SynthesisError(EngineError):
    pass


class MediaError(VoxweaveError):
    pass


class OutputError(VoxweaveError):
    pass
