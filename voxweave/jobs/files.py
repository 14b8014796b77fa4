"""Where each job's files live: data_dir/users/<owner>/jobs/<job id>/{input,work,out}/.

Names that come from users (upload names, owner names) never become paths as given: they are reduced
to a safe base name first, and every path handed out is checked to stay inside its job's folder.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from voxweave.errors import OutputError
from voxweave.jobs.errors import UnsafePath

JOB_ID_PATTERN = re.compile(r"^[0-9a-f]{32}$")
_SAFE_OWNER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_UNSAFE_CHARS = re.compile(r"[^\w.\- ()\[\]+,&']", re.UNICODE)
MAX_NAME_CHARS = 120
DEFAULT_INPUT_NAME = "document.txt"
COPY_BLOCK_BYTES = 1 << 20


def safe_owner(owner: str) -> str:
    """The folder name of an owner: the name itself when it is plain, else a readable slug plus a hash."""
    if not owner or not owner.strip():
        raise UnsafePath("a job needs an owner")
    if _SAFE_OWNER.match(owner) and ".." not in owner:
        return owner
    slug = re.sub(r"[^A-Za-z0-9_-]+", "_", owner).strip("_")[:40] or "user"
    return f"{slug}-{hashlib.sha256(owner.encode('utf-8')).hexdigest()[:12]}"


def safe_filename(name: str, default: str = DEFAULT_INPUT_NAME) -> str:
    """A base name safe to create: no folders, no traversal, no control characters, no leading dot."""
    base = re.split(r"[\\/]", unicodedata.normalize("NFC", name or ""))[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    base = _UNSAFE_CHARS.sub("_", base).strip(" .")
    if not base or set(base) <= {".", "_"}:
        return default
    if len(base) > MAX_NAME_CHARS:
        stem, dot, suffix = base.rpartition(".")
        suffix = suffix[:16] if dot else ""
        base = (stem if dot else base)[: MAX_NAME_CHARS - len(suffix) - 1].rstrip(" .") + (f".{suffix}" if suffix else "")
    return base


def check_job_id(job_id: str) -> str:
    if not isinstance(job_id, str) or not JOB_ID_PATTERN.match(job_id):
        raise UnsafePath(f"{job_id!r} is not a job id")
    return job_id


@dataclass(frozen=True)
class JobFolder:
    """One job's folder: `input/` (the submitted document), `work/` (finished chunks), `out/` (results)."""

    root: Path

    @property
    def input(self) -> Path:
        return self.root / "input"

    @property
    def work(self) -> Path:
        return self.root / "work"

    @property
    def out(self) -> Path:
        return self.root / "out"

    def relative(self, path: Path) -> str:
        """`path` as stored in the job's outputs: relative to the job folder, with forward slashes."""
        return Path(path).resolve().relative_to(self.root.resolve()).as_posix()


class JobFiles:
    """The users' job folders under `data_dir/users`."""

    def __init__(self, data_dir: Path) -> None:
        self.root = Path(data_dir) / "users"

    def folder(self, owner: str, job_id: str) -> JobFolder:
        return JobFolder(self.root / safe_owner(owner) / "jobs" / check_job_id(job_id))

    def create(self, owner: str, job_id: str) -> JobFolder:
        folder = self.folder(owner, job_id)
        try:
            for sub in (folder.input, folder.work, folder.out):
                sub.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise OutputError(f"cannot create the job folder {folder.root}: {e.strerror or e}") from e
        return folder

    def store_input(self, folder: JobFolder, filename: str, *, data: bytes | None = None,
                    path: Path | None = None) -> str:
        """Copy the submitted document into `input/` under a safe name (atomically); return that name."""
        if (data is None) == (path is None):
            raise ValueError("give the document's bytes or its path, not both")
        name = safe_filename(filename)
        target = folder.input / name
        temporary = folder.input / f".{name}.partial"
        try:
            if data is not None:
                temporary.write_bytes(data)
            else:
                with open(path, "rb") as source, open(temporary, "wb") as sink:  # type: ignore[arg-type]
                    shutil.copyfileobj(source, sink, COPY_BLOCK_BYTES)
            os.replace(temporary, target)
        except OSError as e:
            temporary.unlink(missing_ok=True)
            raise OutputError(f"cannot store {name} for the job: {e.strerror or e}") from e
        return name

    def output_path(self, owner: str, job_id: str, name: str) -> Path:
        """The absolute path of `name` (relative to the job folder); refused if it would leave the folder."""
        folder = self.folder(owner, job_id).root.resolve()
        if not name or Path(name).is_absolute() or "\x00" in name:
            raise UnsafePath(f"{name!r} is not a path inside the job's folder")
        candidate = (folder / name).resolve()
        if candidate == folder or not candidate.is_relative_to(folder):
            raise UnsafePath(f"{name!r} is not a path inside the job's folder")
        return candidate

    def remove(self, owner: str, job_id: str) -> None:
        shutil.rmtree(self.folder(owner, job_id).root, ignore_errors=True)
