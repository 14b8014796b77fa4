"""What the HTTP video providers (Z.AI, DashScope wan) share: the key and base URL, one client, downloads.

A subclass names its service and environment variables as class attributes and supplies `map_error`;
validation, submit and poll stay with the subclass, because each service words them its own way.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import requests

from voxweave.tts.base import Availability
from voxweave.video.base import ClipStatus
from voxweave.video.errors import AuthError, BadResponse
from voxweave.video.http import ErrorMapper, HttpClient, RetryPolicy, Timeouts


class HttpProvider:
    """Base of a keyed cloud provider. Key from the argument or `key_env`; base URL from the argument,
    `url_env`, or `default_url`. Owns one HttpClient, never shows the key, downloads without it."""

    name: str
    #: The service's name in errors and messages, e.g. "Z.AI".
    provider: str
    key_env: str
    url_env: str
    default_url: str
    #: Turns an HTTP error answer into a CloudError (wrap the module function in staticmethod).
    map_error: ErrorMapper

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        *,
        timeouts: Timeouts = Timeouts(),
        retry: RetryPolicy = RetryPolicy(),
        sleep: Callable[[float], None] = time.sleep,
        session: requests.Session | None = None,
    ) -> None:
        key = api_key if api_key is not None else os.environ.get(self.key_env, "")
        self.base_url = (base_url or os.environ.get(self.url_env) or self.default_url).rstrip("/")
        self._has_key = bool(key.strip())
        self._http = HttpClient(
            self.base_url, key.strip(), provider=self.provider, map_error=self.map_error,
            timeouts=timeouts, retry=retry, sleep=sleep, session=session,
        )  # fmt: skip

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r}, key={'set' if self._has_key else 'missing'})"

    def close(self) -> None:
        self._http.close()

    def available(self) -> Availability:
        if not self._has_key:
            return Availability(False, f"no {self.provider} key: set {self.key_env} (or pass api_key)")
        return Availability(True)

    def _require_key(self) -> None:
        """Raise AuthError before a submit when no key is set."""
        if not self._has_key:
            raise AuthError("no API key", provider=self.provider, operation="submit", hint=f"Set {self.key_env}.")

    def download(self, result: ClipStatus | str, path: Path) -> Path:
        url = result.video_url if isinstance(result, ClipStatus) else result
        task_id = result.task_id if isinstance(result, ClipStatus) else None
        if not url:
            raise BadResponse("there is no video URL to download", provider=self.provider, operation="download")
        return self._http.download(url, Path(path), task_id=task_id)
