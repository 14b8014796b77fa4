"""espeak-ng through ctypes: robotic but always there (espeakng-loader ships the library and its data).

The library keeps one global state per process, so a single module-level binding owns it and
every call goes through one lock.
"""

from __future__ import annotations

import ctypes
import importlib.util
import logging
import threading

import numpy as np

from voxweave.config import Settings
from voxweave.errors import EngineUnavailable, SynthesisError, VoiceError
from voxweave.tts.base import Availability, Speech, Voice
from voxweave.tts.voices import parse_voice

log = logging.getLogger(__name__)

ENGINE_NAME = "espeak"
ESPEAK_SAMPLE_RATE = 22_050
DEFAULT_VOICE = "en-us"
#: espeak-ng has no hard limit; a chunk this long still comes back in milliseconds.
ESPEAK_MAX_CHARS = 1000
MIN_SPEED, MAX_SPEED = 0.5, 2.0
#: espeakRATE in words per minute: speed 1.0 is espeak's default rate, clamped to what it accepts.
NORMAL_RATE_WPM, MIN_RATE_WPM, MAX_RATE_WPM = 175, 80, 450
INT16_SCALE = 32768.0

# From espeak-ng's speak_lib.h.
AUDIO_OUTPUT_SYNCHRONOUS = 0x02
POS_CHARACTER = 1
ESPEAK_CHARS_UTF8 = 1
ESPEAK_RATE = 1
EE_OK = 0
GENDER_BY_CODE = {1: "male", 2: "female"}


class _Event(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", ctypes.c_void_p),
    ]


class _VoiceStruct(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("languages", ctypes.c_void_p),  # (priority byte, language string) pairs ending with a 0 byte
        ("identifier", ctypes.c_char_p),
        ("gender", ctypes.c_ubyte),
        ("age", ctypes.c_ubyte),
        ("variant", ctypes.c_ubyte),
        ("xx1", ctypes.c_ubyte),
        ("score", ctypes.c_int),
        ("spare", ctypes.c_void_p),
    ]


_SynthCallback = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event))


class _Espeak:
    """The process-wide libespeak-ng: initialised once, used by one thread at a time."""

    def __init__(self) -> None:
        import espeakng_loader

        self.lock = threading.Lock()
        self._chunks: list[np.ndarray] = []
        self._identifiers: dict[str, str] | None = None
        lib = ctypes.CDLL(espeakng_loader.get_library_path())
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_SetSynthCallback.argtypes = [_SynthCallback]
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_Synth.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int, ctypes.c_uint,
                                     ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p]
        lib.espeak_ListVoices.argtypes = [ctypes.c_void_p]
        lib.espeak_ListVoices.restype = ctypes.POINTER(ctypes.POINTER(_VoiceStruct))
        rate = lib.espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, espeakng_loader.get_data_path().encode(), 0)
        if rate != ESPEAK_SAMPLE_RATE:
            raise EngineUnavailable(f"espeak-ng failed to initialise (returned {rate}, expected {ESPEAK_SAMPLE_RATE} Hz)")
        self._callback = _SynthCallback(self._collect)  # kept referenced: the library calls it later
        lib.espeak_SetSynthCallback(self._callback)
        self.lib = lib

    def _collect(self, wav, count, _events) -> int:
        if wav and count > 0:
            self._chunks.append(np.ctypeslib.as_array(wav, shape=(count,)).copy())
        return 0  # 0 = go on

    def synthesize(self, text: str, voice: str, rate_wpm: int) -> np.ndarray:
        """int16 samples of `text` spoken by `voice` (a language code or an espeak voice name); hold `lock`."""
        if self._identifiers is None:
            self.list_voices()
        identifier = (self._identifiers or {}).get(voice.lower(), voice)
        if self.lib.espeak_SetVoiceByName(identifier.encode()) != EE_OK:
            raise VoiceError(f"espeak has no voice {voice!r}; try en-us, en-gb, de, fr-fr (see `voxweave voices`)")
        self.lib.espeak_SetParameter(ESPEAK_RATE, rate_wpm, 0)
        data = text.encode("utf-8")
        self._chunks = []
        status = self.lib.espeak_Synth(data, len(data) + 1, 0, POS_CHARACTER, 0, ESPEAK_CHARS_UTF8, None, None)
        chunks, self._chunks = self._chunks, []
        if status != EE_OK:
            raise SynthesisError(f"espeak-ng failed with status {status}")
        return np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int16)

    def list_voices(self) -> list[Voice]:
        """One Voice per language code, named after the first language each espeak voice speaks."""
        found: dict[str, Voice] = {}
        identifiers: dict[str, str] = {}
        entries = self.lib.espeak_ListVoices(None)
        index = 0
        while entries[index]:
            entry = entries[index].contents
            index += 1
            language = ctypes.string_at(entry.languages + 1).decode(errors="replace")  # skip the priority byte
            if language and language not in found:
                identifiers[language.lower()] = (entry.identifier or language.encode()).decode(errors="replace")
                found[language] = Voice(
                    id=f"{ENGINE_NAME}:{language}",
                    name=language,
                    language=language,
                    gender=GENDER_BY_CODE.get(entry.gender),
                    description=f"{(entry.name or b'').decode(errors='replace')} (espeak-ng, robotic)",
                )
        self._identifiers = identifiers
        return sorted(found.values(), key=lambda v: v.name)


_library: _Espeak | None = None
_library_lock = threading.Lock()


def _espeak() -> _Espeak:
    global _library
    with _library_lock:
        if _library is None:
            try:
                _library = _Espeak()
            except EngineUnavailable:
                raise
            except Exception as e:
                raise EngineUnavailable(f"espeak-ng cannot be loaded: {e}") from e
        return _library


class EspeakEngine:
    """Speaks text with espeak-ng: many languages, milliseconds per sentence, no model to load.

    Maps speed to espeak's words-per-minute rate; voices are espeak's language codes (`en-us`).
    """

    name = ENGINE_NAME
    max_chars = ESPEAK_MAX_CHARS
    sample_rate = ESPEAK_SAMPLE_RATE
    device = "cpu"

    def __init__(self, settings: Settings | None = None) -> None:
        """`settings` is accepted for the registry's sake; espeak needs none."""
        self._voices: list[Voice] | None = None

    def available(self) -> Availability:
        if importlib.util.find_spec("espeakng_loader") is None:
            return Availability(False, "not installed: espeakng-loader (pip install espeakng-loader)")
        try:
            _espeak()
        except EngineUnavailable as e:
            return Availability(False, str(e))
        return Availability(True, "espeak-ng from espeakng-loader, robotic but fast")

    def voices(self) -> list[Voice]:
        if self._voices is None:
            library = _espeak()
            with library.lock:
                self._voices = library.list_voices()
        return list(self._voices)

    def default_voice(self) -> str:
        return DEFAULT_VOICE

    def synthesize(self, text: str, voice: str, speed: float = 1.0) -> Speech:
        """Speak `text` with an espeak voice: a language code (`en-us`, `fr-fr`) or an espeak voice file (`gmw/en`)."""
        if not MIN_SPEED <= speed <= MAX_SPEED:
            raise ValueError(f"speed {speed:g} is out of range: espeak speaks at {MIN_SPEED:g} to {MAX_SPEED:g}")
        spec = parse_voice(voice, default_engine=ENGINE_NAME)
        if spec.engine != ENGINE_NAME:
            raise VoiceError(f"voice {voice!r} belongs to engine {spec.engine!r}, not {ENGINE_NAME!r}")
        if spec.is_blend:
            raise VoiceError(f"espeak cannot blend voices ({voice!r}): choose one")
        if not text.strip():
            return Speech(samples=np.zeros(0, dtype=np.float32), sample_rate=ESPEAK_SAMPLE_RATE)
        rate = int(min(MAX_RATE_WPM, max(MIN_RATE_WPM, round(NORMAL_RATE_WPM * speed))))
        library = _espeak()
        with library.lock:
            try:
                pcm = library.synthesize(text, spec.name, rate)
            except (VoiceError, SynthesisError):
                raise
            except Exception as e:
                raise SynthesisError(f"espeak-ng failed: {e}") from e
        return Speech(samples=pcm.astype(np.float32) / INT16_SCALE, sample_rate=ESPEAK_SAMPLE_RATE)
