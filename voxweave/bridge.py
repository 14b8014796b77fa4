"""The JSON bridge (`python -m voxweave.bridge`): the protocol of the original kokoro_bridge.py.

Reads ONE JSON object on stdin: {"text", "output", "sample_rate", "voice", "speed", "engine"?};
writes `output` as a 16-bit mono WAV at `sample_rate` (resampled), atomically; prints ONE JSON
object on stdout: {"duration", "sample_rate", "engine", "voice", "words"}. Empty text writes a valid
WAV with zero samples (duration 0.0). Any failure exits non-zero with one line on stderr and
leaves no file behind. Anything engines print goes to stderr, so stdout holds only the answer.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from voxweave.errors import EngineError, OutputError, VoxweaveError

log = logging.getLogger(__name__)

PROGRAM = "voxweave bridge"
DEFAULT_SAMPLE_RATE = 24_000
MIN_SAMPLE_RATE, MAX_SAMPLE_RATE = 8_000, 192_000
WAV_SUBTYPE = "PCM_16"
#: Exit codes, the same as the `voxweave` command's.
EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_ENGINE, EXIT_OUTPUT = 0, 1, 2, 4, 5


class RequestError(ValueError):
    """The request is not the JSON object the protocol describes."""


@dataclass(frozen=True)
class BridgeRequest:
    text: str
    output: Path
    sample_rate: int = DEFAULT_SAMPLE_RATE
    voice: str | None = None
    speed: float = 1.0
    engine: str | None = None

    @classmethod
    def from_json(cls, raw: str) -> BridgeRequest:
        """Parse and check one request; RequestError names the first thing wrong with it."""
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as e:
            raise RequestError(f"the request is not valid JSON: {e}") from e
        if not isinstance(data, dict):
            raise RequestError("the request must be one JSON object")
        return cls(
            text=_field(data, "text", str, required=True),
            output=_output(data),
            sample_rate=_sample_rate(data.get("sample_rate", DEFAULT_SAMPLE_RATE)),
            voice=_field(data, "voice", str) or None,
            speed=_speed(data.get("speed", 1.0)),
            engine=_field(data, "engine", str) or None,
        )


def main(argv: Sequence[str] | None = None) -> int:
    """Run one request from stdin; return the exit code (0 success, 2 bad request, 4 engine or
    voice problem, 5 output problem, 1 anything else)."""
    parser = argparse.ArgumentParser(prog=PROGRAM, description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens on stderr")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    answer_stream = sys.stdout
    try:
        with _stdout_to_stderr():
            request = BridgeRequest.from_json(sys.stdin.read())
            answer = run(request)
    except RequestError as e:
        return _fail(f"bad request: {e}", EXIT_USAGE)
    except ValueError as e:
        return _fail(str(e), EXIT_USAGE)
    except EngineError as e:
        return _fail(str(e), EXIT_ENGINE)
    except OutputError as e:
        return _fail(str(e), EXIT_OUTPUT)
    except VoxweaveError as e:
        return _fail(str(e), EXIT_FAILURE)
    except Exception as e:  # the last line of defence of a subprocess: say what, not a traceback
        log.debug("unexpected failure", exc_info=True)
        return _fail(f"unexpected {type(e).__name__}: {e}", EXIT_FAILURE)
    _answer(answer, answer_stream)
    return EXIT_OK


def run(request: BridgeRequest, registry: Any = None) -> dict[str, Any]:
    """Speak the request into its output file and return the answer (what main prints)."""
    from voxweave.config import Settings
    from voxweave.tts.registry import EngineRegistry

    registry = registry or EngineRegistry(Settings())
    engine, spec = registry.resolve(_voice_id(request, registry))
    samples = np.zeros(0, dtype=np.float32)
    words: list[dict[str, Any]] | None = None
    if request.text.strip():
        speech = engine.synthesize(request.text, spec.name, request.speed)
        samples = _resample(speech.samples, speech.sample_rate, request.sample_rate)
        if speech.words is not None:
            words = [{"word": w.word, "start": round(w.start, 3), "end": round(w.end, 3)} for w in speech.words]
    write_wav(request.output, samples, request.sample_rate)
    return {
        "duration": round(len(samples) / request.sample_rate, 3),
        "sample_rate": request.sample_rate,
        "engine": spec.engine,
        "voice": str(spec),
        "words": words,
    }


def _voice_id(request: BridgeRequest, registry: Any) -> str:
    """`engine:voice`: the voice's own prefix wins; else `engine` (with its default voice when no
    voice is given); else the settings' default engine and voice."""
    if request.voice and ":" in request.voice:
        return request.voice
    if request.engine:
        return f"{request.engine}:{request.voice or registry.get(request.engine).default_voice()}"
    return request.voice or registry.settings.default_voice


def write_wav(path: Path, samples: np.ndarray, sample_rate: int) -> None:
    """A 16-bit mono WAV that appears at `path` only when complete."""
    import soundfile

    from voxweave.ffmpeg import atomic_output

    try:
        with atomic_output(Path(path)) as temporary:
            soundfile.write(str(temporary), np.clip(samples, -1.0, 1.0), sample_rate, subtype=WAV_SUBTYPE, format="WAV")
    except (OSError, RuntimeError) as e:  # soundfile reports some I/O failures as RuntimeError
        raise OutputError(f"cannot write {path}: {getattr(e, 'strerror', None) or e}") from e


def _resample(samples: np.ndarray, source_rate: int, target_rate: int) -> np.ndarray:
    from voxweave.audio import resample

    return resample(np.asarray(samples, dtype=np.float32), source_rate, target_rate)


def _field(data: Mapping[str, Any], name: str, kind: type, *, required: bool = False) -> Any:
    if name not in data or data[name] is None:
        if required:
            raise RequestError(f"{name!r} is missing")
        return None
    if not isinstance(data[name], kind):
        raise RequestError(f"{name!r} must be a {kind.__name__}, not {type(data[name]).__name__}")
    return data[name]


def _output(data: Mapping[str, Any]) -> Path:
    output = _field(data, "output", str, required=True)
    if not output.strip():
        raise RequestError("'output' is empty")
    return Path(output).expanduser()


def _sample_rate(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
        raise RequestError(f"'sample_rate' must be a whole number of hertz, not {value!r}")
    if not MIN_SAMPLE_RATE <= int(value) <= MAX_SAMPLE_RATE:
        raise RequestError(f"'sample_rate' {value} is outside {MIN_SAMPLE_RATE}..{MAX_SAMPLE_RATE}")
    return int(value)


def _speed(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise RequestError(f"'speed' must be a positive number, not {value!r}")
    return float(value)


def _fail(message: str, code: int) -> int:
    print(f"{PROGRAM}: error: {' '.join(message.split())}", file=sys.stderr)
    return code


def _answer(answer: Mapping[str, Any], stream: TextIO) -> None:
    stream.write(json.dumps(answer, ensure_ascii=False) + "\n")
    stream.flush()


@contextmanager
def _stdout_to_stderr() -> Iterator[None]:
    """Send whatever engines print (Python or C code) to stderr while the request runs."""
    sys.stdout.flush()
    saved_stdout = sys.stdout
    saved_fd = None
    try:
        saved_fd = os.dup(1)
        os.dup2(2, 1)
    except OSError:  # no real descriptors (an embedding host): redirecting sys.stdout must do
        saved_fd = None
    sys.stdout = sys.stderr
    try:
        yield
    finally:
        sys.stdout = saved_stdout
        if saved_fd is not None:
            sys.stdout.flush()
            os.dup2(saved_fd, 1)
            os.close(saved_fd)


if __name__ == "__main__":
    sys.exit(main())
