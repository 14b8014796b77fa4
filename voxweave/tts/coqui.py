"""Coqui TTS (the maintained `coqui-tts` fork, import name `TTS`): any of its models, by name or by files.

A named model (`tts_models/en/ljspeech/tacotron2-DDC`) is downloaded by Coqui on first use when
the user is online; a local model is a checkpoint plus its config. Multi-speaker models offer
their speakers as voices.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from voxweave.config import Settings
from voxweave.errors import EngineUnavailable, SynthesisError, VoiceError
from voxweave.tts.base import Availability, Speech, Voice
from voxweave.tts.device import AUTO, describe_device, device_lock, downloads_allowed, select_device
from voxweave.tts.voices import parse_engine_voice

log = logging.getLogger(__name__)

ENGINE_NAME = "coqui"
DEFAULT_MODEL = "tts_models/en/ljspeech/tacotron2-DDC"
#: The voice of a single-speaker model, and the first speaker of a multi-speaker one.
DEFAULT_VOICE = "default"
#: Most Coqui models speak at this rate; the real one comes from the model's config.
FALLBACK_SAMPLE_RATE = 22_050
#: Coqui splits text into sentences itself; a chunk of this size stays well inside its models' limits.
COQUI_MAX_CHARS = 400
MIN_SPEED, MAX_SPEED = 0.5, 2.0
DEFAULT_LANGUAGE = "en"
REQUIRED_MODULES = ("torch", "torchaudio", "TTS")
INSTALL_HINT = "pip install 'voxweave[coqui]'"
#: Speaker names may hold spaces ("Claribel Dervla"); voice names may not, so they become underscores.
_NOT_IN_VOICE_NAME = re.compile(r"[^A-Za-z0-9_.\-]+")


class CoquiEngine:
    """Speaks text with a Coqui TTS model on CUDA when torch sees a GPU, else CPU.

    Finds the model (files or a name), loads it once behind a lock, maps speakers to voice names,
    and turns speed into the model's length scale (VITS) or speed argument (XTTS).
    """

    name = ENGINE_NAME
    max_chars = COQUI_MAX_CHARS

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        model_name: str | None = None,
        model_path: Path | str | None = None,
        config_path: Path | str | None = None,
        speakers_file: Path | str | None = None,
        device: str | None = None,
        language: str | None = None,
        allow_downloads: bool | None = None,
    ) -> None:
        """Settings read: coqui_model, coqui_model_path, coqui_config_path, coqui_speakers_file,
        coqui_device, coqui_language, allow_model_downloads. Keyword arguments override them."""
        settings = settings or Settings()
        self._model_name = model_name or getattr(settings, "coqui_model", None) or DEFAULT_MODEL
        self._model_path = _path(model_path or getattr(settings, "coqui_model_path", None))
        self._config_path = _path(config_path or getattr(settings, "coqui_config_path", None))
        self._speakers_file = _path(speakers_file or getattr(settings, "coqui_speakers_file", None))
        self._device_preference = device or getattr(settings, "coqui_device", AUTO) or AUTO
        self._language = language or getattr(settings, "coqui_language", None) or DEFAULT_LANGUAGE
        self._allow_downloads = downloads_allowed(settings) if allow_downloads is None else allow_downloads
        self._lock = threading.Lock()
        self._tts: Any = None
        self._device: str | None = None
        self._load_error: str | None = None

    # -- what it is -------------------------------------------------------------------------

    @property
    def sample_rate(self) -> int:
        """The loaded model's output rate, else the one in its config file, else Coqui's usual 22050."""
        if self._tts is not None:
            return int(self._tts.synthesizer.output_sample_rate)
        config = self._config_file()
        if config is not None and config.is_file():
            try:
                audio = json.loads(config.read_text(encoding="utf-8")).get("audio", {})
                return int(audio.get("output_sample_rate") or audio["sample_rate"])
            except (OSError, ValueError, KeyError, TypeError):
                log.debug("no sample rate in %s", config, exc_info=True)
        return FALLBACK_SAMPLE_RATE

    def available(self) -> Availability:
        """Whether synthesis can work, checked from imports and files without loading the model."""
        if self._load_error:
            return Availability(False, self._load_error)
        missing = [m for m in REQUIRED_MODULES if importlib.util.find_spec(m) is None]
        if missing:
            return Availability(False, f"not installed: {', '.join(missing)} ({INSTALL_HINT})")
        problem = self._model_problem()
        if problem:
            return Availability(False, problem)
        where = describe_device(self._device) if self._device else self._device_preference
        return Availability(True, f"{self._model_label()}; device {where}")

    def voices(self) -> list[Voice]:
        """The model's speakers (loading it when its files are here; never downloading to list)."""
        if self._tts is None and not self._files_here():
            return [Voice(id=f"{ENGINE_NAME}:{DEFAULT_VOICE}", name=DEFAULT_VOICE, language=self._language)]
        try:
            speakers = self._speakers(self.load())
        except EngineUnavailable as e:
            log.warning("Coqui voices cannot be listed: %s", e)
            return []
        names = list(speakers) or [DEFAULT_VOICE]
        return [
            Voice(id=f"{ENGINE_NAME}:{name}", name=name, language=self._language,
                  description=f"speaker {speakers[name]!r}" if speakers.get(name, name) != name else "")
            for name in names
        ]

    def default_voice(self) -> str:
        return DEFAULT_VOICE

    # -- speaking ---------------------------------------------------------------------------

    def synthesize(self, text: str, voice: str, speed: float = 1.0) -> Speech:
        """Speak `text` with a speaker of the model (`default` is its first); blends are refused."""
        if not MIN_SPEED <= speed <= MAX_SPEED:
            raise ValueError(f"speed {speed:g} is out of range: Coqui speaks at {MIN_SPEED:g} to {MAX_SPEED:g}")
        spec = parse_engine_voice(voice, ENGINE_NAME)
        if spec.is_blend:
            raise VoiceError(f"Coqui cannot blend voices ({voice!r}): choose one speaker")
        tts = self.load()
        speaker = self._speaker(tts, spec.name)
        rate = int(tts.synthesizer.output_sample_rate)
        if not text.strip():
            return Speech(np.zeros(0, dtype=np.float32), rate)
        arguments: dict[str, Any] = {"speaker": speaker}
        if tts.is_multi_lingual:
            arguments["language"] = self._language
        with device_lock(self._device or "cpu"):
            try:
                with _speed(tts, speed, arguments):
                    wav = tts.tts(text, **arguments)
            except (SynthesisError, VoiceError):
                raise
            except Exception as e:
                raise SynthesisError(f"Coqui failed on {_excerpt(text)!r}: {e}") from e
        samples = np.clip(np.asarray(wav, dtype=np.float32).ravel(), -1.0, 1.0)
        return Speech(samples, rate)

    def _speaker(self, tts: Any, name: str) -> str | None:
        """The model's speaker for a voice name: None for a single-speaker model's `default`."""
        speakers = self._speakers(tts)
        if not speakers:
            if name != DEFAULT_VOICE:
                raise VoiceError(f"this Coqui model has one voice, {DEFAULT_VOICE!r}; not {name!r}")
            return None
        if name == DEFAULT_VOICE:
            return next(iter(speakers.values()))
        if name not in speakers:
            known = ", ".join(list(speakers)[:8])
            raise VoiceError(f"this Coqui model has no speaker {name!r}; known speakers include {known}")
        return speakers[name]

    @staticmethod
    def _speakers(tts: Any) -> dict[str, str]:
        """Voice name -> speaker name, in the model's order ({} for a single-speaker model)."""
        if not tts.is_multi_speaker:
            return {}
        return {_voice_name(speaker): speaker for speaker in (tts.speakers or [])}

    # -- loading ----------------------------------------------------------------------------

    def load(self) -> Any:
        """The TTS object, loaded (or downloaded, for a named model online) on first use; failures are remembered."""
        with self._lock:
            if self._tts is not None:
                return self._tts
            if self._load_error:
                raise EngineUnavailable(self._load_error)
            problem = self._model_problem()
            if problem:
                raise EngineUnavailable(problem)
            device = select_device(self._device_preference)
            try:
                self._tts = self._build(device)
            except Exception as e:
                self._load_error = f"Coqui failed to load {self._model_label()}: {e}"
                raise EngineUnavailable(self._load_error) from e
            self._device = device
            return self._tts

    def _build(self, device: str) -> Any:
        from TTS.api import TTS

        log.info("loading Coqui %s on %s", self._model_label(), device)
        if self._model_path is not None:
            tts = TTS(
                model_path=str(self._model_path),
                config_path=str(self._config_path),
                speakers_file_path=str(self._speakers_file) if self._speakers_file else None,
                progress_bar=False,
            )
        else:
            tts = TTS(model_name=self._model_name, progress_bar=False)
        return tts.to(device)

    def _model_problem(self) -> str | None:
        if self._model_path is not None:
            if self._config_path is None:
                return "VOXWEAVE_COQUI_MODEL_PATH is set but VOXWEAVE_COQUI_CONFIG_PATH is not (Coqui needs both)"
            files = (self._model_path, self._config_path, self._speakers_file)
            missing = [str(p) for p in files if p is not None and not p.is_file()]
            return f"Coqui model files not found: {', '.join(missing)}" if missing else None
        if self._allow_downloads or self._downloaded_folder() is not None:
            return None
        return (
            f"Coqui model {self._model_name!r} is not downloaded and downloads are off: go online once, or set "
            "VOXWEAVE_COQUI_MODEL_PATH and VOXWEAVE_COQUI_CONFIG_PATH"
        )

    def _model_label(self) -> str:
        if self._model_path is not None:
            return f"model {self._model_path.name}"
        return f"model {self._model_name}"

    def _files_here(self) -> bool:
        return self._model_path is not None or self._downloaded_folder() is not None

    def _config_file(self) -> Path | None:
        if self._config_path is not None:
            return self._config_path
        folder = self._downloaded_folder()
        return folder / "config.json" if folder is not None else None

    def _downloaded_folder(self) -> Path | None:
        """Where Coqui keeps the named model once downloaded (None when it is not there)."""
        if importlib.util.find_spec("trainer") is None:
            return None
        from trainer.io import get_user_data_dir

        folder = get_user_data_dir("tts") / self._model_name.replace("/", "--")
        return folder if (folder / "config.json").is_file() else None


@contextmanager
def _speed(tts: Any, speed: float, arguments: dict[str, Any]) -> Iterator[None]:
    """Apply a speed for one call: VITS-like models through length_scale, XTTS through `speed`."""
    model = tts.synthesizer.tts_model
    if speed == 1.0:
        yield
    elif hasattr(model, "length_scale"):
        saved = model.length_scale
        model.length_scale = saved / speed
        try:
            yield
        finally:
            model.length_scale = saved
    elif "xtts" in type(model).__name__.lower():
        arguments["speed"] = speed
        yield
    else:
        raise SynthesisError(f"this Coqui model ({type(model).__name__}) cannot change its speed")


def _voice_name(speaker: str) -> str:
    return _NOT_IN_VOICE_NAME.sub("_", speaker.strip()).strip("_") or DEFAULT_VOICE


def _path(value: Path | str | None) -> Path | None:
    return Path(value).expanduser() if value else None


def _excerpt(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
