"""The `voxweave` command line: narrate documents, list chapters, voices and engines, queue jobs,
manage the web app's accounts (`users`) and run the web app (`serve`).

Exit codes a script can rely on:
  0 success, 1 unexpected failure, 2 wrong usage, 3 unreadable or empty input,
  4 engine or voice problem, 5 media or output problem (ffmpeg, disk), 130 interrupted.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from voxweave import __version__
from voxweave.errors import EngineError, IngestError, MediaError, OutputError, VoxweaveError

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INPUT = 3
EXIT_ENGINE = 4
EXIT_MEDIA = 5
EXIT_INTERRUPTED = 130

_EXIT_BY_ERROR: tuple[tuple[type[Exception], int], ...] = (
    (IngestError, EXIT_INPUT),
    (EngineError, EXIT_ENGINE),
    (MediaError, EXIT_MEDIA),
    (OutputError, EXIT_MEDIA),
)


_PASS_THROUGH = ("bridge", "fake-cloud")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="voxweave", description="Narration and video studio.")
    parser.add_argument("--version", action="version", version=f"voxweave {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    narrate = commands.add_parser("narrate", help="turn a document into narrated audio with subtitles")
    narrate.add_argument("input", type=Path, help="a .txt, .md, .html, .epub or .pdf file")
    narrate.add_argument("-o", "--outdir", type=Path, default=Path("."), help="output folder (default: here)")
    narrate.add_argument("--voice", help="engine:voice, or a blend like kokoro-onnx:jm_kumo*0.7+jf_alpha*0.3")
    narrate.add_argument("--speed", type=float, default=1.0, help="speaking speed, 1.0 is normal")
    narrate.add_argument("--format", dest="audio_format", default="m4b", help="wav, mp3, flac, opus or m4b")
    narrate.add_argument("--subtitles", default="srt", help="comma list of srt, vtt, ass (sentences), words.srt, words.vtt (a cue per word), karaoke.ass; 'none'")
    narrate.add_argument("--chapters", help="chapters to narrate, e.g. 1-3,7 (default: the body chapters)")
    narrate.add_argument("--name", help="output file name without extension (default: the input's name)")
    narrate.add_argument("--keep-work", action="store_true", help="keep the synthesised chunks after success")
    narrate.add_argument("--quiet", action="store_true", help="no progress bar")

    chapters = commands.add_parser("chapters", help="list the chapters found in a document")
    chapters.add_argument("input", type=Path)
    chapters.add_argument("--all", action="store_true", help="also list front and back matter")

    voices = commands.add_parser("voices", help="list the voices of the available engines")
    voices.add_argument("--engine", help="only this engine's voices")

    commands.add_parser("engines", help="list the engines, available or not, and why")
    video = commands.add_parser("video", help="make a video from narrated audio and its subtitles")
    video.add_argument("audio", type=Path, help="the narration (any audio format)")
    video.add_argument("--subtitles", type=Path, help="its SRT, VTT or ASS file (burned in by default)")
    video.add_argument("-o", "--output", type=Path, help="the video file (default: beside the audio, .mp4)")
    video.add_argument("--provider", default="local", choices=["local", "zai", "wan"],
                       help="where the pictures come from; cloud keys from ZAI_API_KEY / DASHSCOPE_API_KEY")
    video.add_argument("--style", default="", help="a style added to every scene's prompt, e.g. 'watercolour'")
    video.add_argument("--prompt", default="", help="extra words for every scene's prompt")
    video.add_argument("--model", help="the provider's model, e.g. cogvideox-3")
    video.add_argument("--resolution", default="720p", choices=["720p", "1080p", "4k"])
    video.add_argument("--soft-subtitles", action="store_true", help="a subtitle track instead of burned text")
    video.add_argument("--no-fallback", action="store_true", help="fail instead of making the video locally")
    video.add_argument("--quiet", action="store_true", help="no progress bar")
    bridge = commands.add_parser("bridge", help="one JSON request on stdin, audio to a file (kokoro_bridge.py protocol)")
    bridge.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    fake = commands.add_parser("fake-cloud", help="serve a fake Z.AI and Wan video API on 127.0.0.1 for demos")
    fake.add_argument("rest", nargs=argparse.REMAINDER, help="options of the fake server (see fake-cloud -- --help)")

    from voxweave.cli_jobs import add_parsers as add_job_parsers
    from voxweave.cli_serve import add_parser as add_serve_parser
    from voxweave.cli_users import add_parsers as add_user_parsers

    add_job_parsers(commands)
    add_user_parsers(commands)
    add_serve_parser(commands)
    return parser


def _commands() -> dict:
    """Every subcommand's function, by name."""
    from voxweave.cli_commands import COMMANDS
    from voxweave.cli_serve import SERVE_COMMANDS
    from voxweave.cli_users import USER_COMMANDS

    return {**COMMANDS, **USER_COMMANDS, **SERVE_COMMANDS}


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in _PASS_THROUGH:
        # These commands parse their own options.
        from voxweave.cli_commands import COMMANDS

        return COMMANDS[argv[0]](argparse.Namespace(rest=argv[1:]))
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    commands = _commands()
    try:
        return commands[args.command](args)
    except BrokenPipeError:
        # The reader of our output went away (`voxweave voices | head`): not an error.
        sys.stderr.close()
        return EXIT_OK
    except KeyboardInterrupt:
        print("voxweave: interrupted; finished chunks are kept, run the same command again to resume", file=sys.stderr)
        return EXIT_INTERRUPTED
    except ValueError as e:
        print(f"voxweave: {e}", file=sys.stderr)
        return EXIT_USAGE
    except VoxweaveError as e:
        print(f"voxweave: {e}", file=sys.stderr)
        return next((code for kind, code in _EXIT_BY_ERROR if isinstance(e, kind)), EXIT_FAILURE)


if __name__ == "__main__":
    sys.exit(main())
