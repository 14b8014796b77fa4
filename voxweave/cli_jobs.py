"""The `voxweave jobs ...` and `voxweave worker` subcommands: queue narrations and videos, and run them.

`jobs` acts for one user (--user, default: the login name) and never shows another's jobs; a job id
may be shortened to any unique prefix of at least 6 characters.
"""

from __future__ import annotations

import argparse
import getpass
import sys
import time
from collections.abc import Callable
from pathlib import Path

from voxweave.cli import EXIT_OK, EXIT_USAGE
from voxweave.jobs.errors import JobError, JobNotFound
from voxweave.jobs.models import Job, NarrationRequest, VideoRequest

MIN_PREFIX = 6


def add_parsers(subparsers: argparse._SubParsersAction) -> None:
    """Add `jobs` (with its actions) and `worker` to the `voxweave` command line."""
    jobs = subparsers.add_parser("jobs", help="queue narrations and videos; follow, stop, resume or retry them")
    actions = jobs.add_subparsers(dest="job_action", required=True, metavar="ACTION")
    user = argparse.ArgumentParser(add_help=False)
    user.add_argument("--user", default=None, help="whose jobs (default: your login name)")

    submit = actions.add_parser("submit", parents=[user], help="queue a narration of a document")
    submit.add_argument("input", type=Path, help="a .txt, .md, .html, .epub or .pdf file")
    submit.add_argument("--voice", help="engine:voice (default: the settings' default voice)")
    submit.add_argument("--speed", type=float, default=1.0, help="speaking speed, 1.0 is normal")
    submit.add_argument("--format", dest="audio_format", default="m4b", help="wav, mp3, flac, opus or m4b")
    submit.add_argument("--subtitles", default="srt", help="comma list of srt, vtt, ass; 'none' for none")
    submit.add_argument("--chapters", help="chapters to narrate, e.g. 1-3,7 (default: the body chapters)")
    submit.add_argument("--name", help="output file name without extension (default: the input's name)")

    _add_video_parser(actions, user)

    listing = actions.add_parser("list", parents=[user], help="list your jobs, newest first")
    listing.add_argument("--all-users", action="store_true", help="every user's jobs (administrators)")
    for action, text in (("show", "a job's details and output files"), ("cancel", "stop a queued or running job"),
                         ("resume", "continue an interrupted or cancelled job"),
                         ("retry", "run a failed or cancelled job again"), ("delete", "forget a job and its files")):
        parser = actions.add_parser(action, parents=[user], help=text)
        parser.add_argument("job_id", metavar="ID")

    worker = subparsers.add_parser("worker", help="run queued jobs until stopped (SIGTERM or Ctrl-C)")
    worker.add_argument("--device", action="append", dest="devices",
                        help="a device to run speech on (repeat for several; default: the settings')")


def _add_video_parser(actions: argparse._SubParsersAction, user: argparse.ArgumentParser) -> None:
    video = actions.add_parser("video", parents=[user], help="queue a video of a finished narration or an audio file")
    source = video.add_mutually_exclusive_group(required=True)
    source.add_argument("--from", dest="from_job", metavar="JOB_ID", help="your finished narration job")
    source.add_argument("--audio", type=Path, help="an audio file to make the video of")
    video.add_argument("--subtitles", type=Path, help="with --audio: an .srt, .vtt or .ass file")
    video.add_argument("--provider", default="local", help="local, zai or wan (keys from ZAI_API_KEY, DASHSCOPE_API_KEY)")
    video.add_argument("--model", help="the provider's model (default: its default)")
    video.add_argument("--style", default="", help="a look for the clips, e.g. 'watercolour'")
    video.add_argument("--prompt", default="", help="added to every scene's prompt")
    video.add_argument("--resolution", default="720p", help="720p, 1080p, 4k or WIDTHxHEIGHT")
    video.add_argument("--format", dest="container", default="mp4", help="mp4, mov or webm")
    video.add_argument("--background", default="cover", help="cover, color, gradient or image")
    video.add_argument("--image", type=Path, help="the picture for --background image")
    video.add_argument("--color", default=VideoRequest.color, help="background colour (name or #rrggbb)")
    video.add_argument("--gradient-to", help="bottom colour of a gradient background")
    video.add_argument("--soft-subtitles", action="store_true", help="a subtitle track and file, not burned in")
    video.add_argument("--no-fallback", action="store_true", help="fail instead of making the video locally")
    video.add_argument("--name", help="output file name without extension (default: the narration's)")


def _queue():
    from voxweave.config import Settings
    from voxweave.jobs.api import JobQueue

    return JobQueue(Settings())


def _user(args: argparse.Namespace) -> str:
    return args.user or getpass.getuser()


def _resolve_id(queue, owner: str, given: str) -> str:
    if len(given) == 32:
        return given
    matches = [job.id for job in queue.jobs_of(owner)] if len(given) >= MIN_PREFIX else []
    matches = [job_id for job_id in matches if job_id.startswith(given.lower())]
    if len(matches) != 1:
        raise JobNotFound(given) if not matches else JobError(f"{given!r} names several jobs: give more of the id")
    return matches[0]


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


def _line(job: Job, with_owner: bool = False) -> str:
    owner = f"{job.owner:12s} " if with_owner else ""
    eta = f" eta {_clock(job.eta_seconds)}" if job.status == "running" else ""
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(job.created))
    return f"{job.id[:12]}  {owner}{when}  {job.status:11s} {job.progress * 100:5.1f}%  {job.stage or '-':10s}{eta}  {job.title}"


def _show(queue, owner: str, job: Job) -> None:
    print(f"job       {job.id}")
    print(f"kind      {job.kind} of {job.title}")
    print(f"status    {job.status}" + (" (cancel requested)" if job.cancel_requested else ""))
    print(f"progress  {job.progress * 100:.1f}%  stage {job.stage or '-'}  eta {_clock(job.eta_seconds)}")
    if job.kind == "video":
        print(f"video     {job.params.get('provider', '-')}  {job.params.get('resolution', '-')}  "
              f"{job.params.get('container', '-')}")
    else:
        print(f"voice     {job.params.get('voice', '-')}  speed {job.params.get('speed', '-')}")
    if job.error:
        print(f"error     {job.error}")
    for line in (job.note or "").splitlines():
        print(f"note      {line}")
    for role, path in queue.outputs(owner, job.id).items():
        print(f"{role:9s} {path}")


def cmd_jobs(args: argparse.Namespace) -> int:
    queue = _queue()
    owner = _user(args)
    try:
        if args.job_action == "submit":
            subtitles = () if args.subtitles.strip().lower() in ("", "none") else tuple(
                dict.fromkeys(p.strip().lower() for p in args.subtitles.split(",") if p.strip()))
            request = NarrationRequest(voice=args.voice, speed=args.speed, audio_format=args.audio_format,
                                       subtitle_formats=subtitles, chapters=args.chapters, name=args.name)
            if not args.input.is_file():
                from voxweave.errors import IngestError

                raise IngestError(args.input, "the file does not exist")
            print(queue.submit_narration(owner, args.input.name, args.input, request))
        elif args.job_action == "video":
            print(_submit_video(queue, owner, args))
        elif args.job_action == "list":
            jobs = queue.all_jobs() if args.all_users else queue.jobs_of(owner)
            for job in jobs:
                print(_line(job, with_owner=args.all_users))
        else:
            job_id = _resolve_id(queue, owner, args.job_id)
            if args.job_action == "show":
                _show(queue, owner, queue.job(owner, job_id))
            elif args.job_action == "delete":
                queue.delete(owner, job_id)
            else:
                job = getattr(queue, args.job_action)(owner, job_id)
                print(_line(job))
        return EXIT_OK
    except JobError as e:
        print(f"voxweave: {e}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        queue.close()


def _submit_video(queue, owner: str, args: argparse.Namespace) -> str:
    request = VideoRequest(provider=args.provider, style=args.style, prompt=args.prompt, model=args.model,
                           resolution=args.resolution, container=args.container,
                           burn_subtitles=not args.soft_subtitles, allow_fallback=not args.no_fallback,
                           background=args.background, color=args.color, gradient_to=args.gradient_to,
                           name=args.name)
    for path in filter(None, (args.audio, args.subtitles, args.image)):
        if not path.is_file():
            from voxweave.errors import IngestError

            raise IngestError(path, "the file does not exist")
    if args.from_job and args.subtitles:
        raise ValueError("--subtitles goes with --audio; a narration job brings its own")
    return queue.submit_video(
        owner, request, from_job=_resolve_id(queue, owner, args.from_job) if args.from_job else None,
        audio=_upload(args.audio), subtitles=_upload(args.subtitles), image=_upload(args.image),
    )


def _upload(path: Path | None) -> tuple[str, Path] | None:
    return (path.name, path) if path is not None else None


def cmd_worker(args: argparse.Namespace) -> int:
    from voxweave.jobs.worker import run_worker

    print("voxweave worker: running queued jobs; stop with Ctrl-C or SIGTERM (running jobs resume later)",
          file=sys.stderr)
    return run_worker(args.devices)


JOB_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "jobs": cmd_jobs,
    "worker": cmd_worker,
}
