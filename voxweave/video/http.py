"""One HTTP client per provider: a requests.Session, timeouts on every call, declared retries, no leaked key.

The seam for tests is the base URL (point it at 127.0.0.1) plus an optional Session of your own. Which
HTTP answers mean what is the provider's business: it passes `map_error`, which turns an HttpFailure
into a CloudError. This module decides only how to send, when to try again and how long to wait.
"""

from __future__ import annotations

import email.utils
import logging
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import requests
import tenacity
from tenacity import RetryCallState, retry_if_exception, stop_after_attempt, wait_exponential

from voxweave.errors import OutputError
from voxweave.video.errors import (
    BadResponse,
    CloudError,
    ConnectionFailed,
    InvalidRequest,
    RateLimited,
    RejectedError,
    ResultExpired,
    RetriesExhausted,
    ServerError,
    TimedOut,
    TransientError,
    scrub,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")
RetryIf = Callable[[BaseException], bool]

#: The longest piece of a server's answer quoted in an error message.
_QUOTE_CHARS = 300
_CHUNK_BYTES = 64 * 1024


@dataclass(frozen=True)
class Timeouts:
    """Seconds to wait for a connection and for each read of an answer."""

    connect: float = 10.0
    read: float = 30.0

    def as_requests(self) -> tuple[float, float]:
        return (self.connect, self.read)


@dataclass(frozen=True)
class RetryPolicy:
    """How many attempts, and how long between them: Retry-After when sent, else 1 s, 2 s, 4 s ... capped."""

    attempts: int = 3
    base_wait: float = 1.0
    max_wait: float = 30.0


class Secret:
    """A string that never shows itself in repr, str or logs."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __repr__(self) -> str:
        return "Secret('***')" if self._value else "Secret('')"

    __str__ = __repr__


class BearerAuth(requests.auth.AuthBase):
    """Adds `Authorization: Bearer <key>`; passing an auth object also keeps ~/.netrc from overriding it."""

    def __init__(self, key: Secret) -> None:
        self._key = key

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self._key.reveal()}"
        return request

    def __repr__(self) -> str:
        return "BearerAuth(***)"


class _NoAuth(requests.auth.AuthBase):
    """For result URLs on other hosts: they are signed, and must never receive our key."""

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers.pop("Authorization", None)
        return request


@dataclass(frozen=True)
class HttpFailure:
    """A non-2xx answer, as the provider's `map_error` sees it. `text` is already scrubbed."""

    operation: str
    status: int
    body: Any
    text: str
    retry_after: float | None


ErrorMapper = Callable[[HttpFailure], CloudError]


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds from a Retry-After header: a number of seconds or an HTTP date. None when absent or bad."""
    if value is None or not value.strip():
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class wait_retry_after_or_exponential(tenacity.wait.wait_base):
    """The server's Retry-After when it sent one, else base * 2^(n-1); both capped at `cap` seconds."""

    def __init__(self, base: float, cap: float) -> None:
        self.cap = cap
        self._fallback = wait_exponential(multiplier=base, exp_base=2, min=0, max=cap)

    def __call__(self, retry_state: RetryCallState) -> float:
        error = retry_state.outcome.exception() if retry_state.outcome else None
        retry_after = getattr(error, "retry_after", None)
        if retry_after is not None:
            return min(float(retry_after), self.cap)
        return self._fallback(retry_state)


def is_transient(error: BaseException) -> bool:
    """The default rule, right for idempotent calls (polls, downloads): retry every TransientError."""
    return isinstance(error, TransientError)


def _log_retry(policy: RetryPolicy) -> Callable[[RetryCallState], None]:
    def before_sleep(state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        reason = error.reason if isinstance(error, CloudError) else type(error).__name__
        where = ""
        if isinstance(error, CloudError):
            where = " ".join(p for p in (error.provider, error.operation) if p) + ": "
        wait = state.next_action.sleep if state.next_action else 0.0
        logger.warning(
            "%sattempt %d of %d failed (%s); retrying in %.2f s",
            where,
            state.attempt_number,
            policy.attempts,
            reason,
            wait,
        )

    return before_sleep


def retrying(policy: RetryPolicy, retry_if: RetryIf, sleep: Callable[[float], None]) -> tenacity.Retrying:
    """The retry policy, declared once: which errors, how many attempts, how long, logged before each sleep."""
    return tenacity.Retrying(
        retry=retry_if_exception(retry_if),
        stop=stop_after_attempt(policy.attempts),
        wait=wait_retry_after_or_exponential(policy.base_wait, policy.max_wait),
        before_sleep=_log_retry(policy),
        sleep=sleep,
        reraise=True,
    )


def _request_was_sent(error: requests.RequestException) -> bool:
    """False only when the connection never opened (refused, DNS, connect timeout): then a resend is safe."""
    if isinstance(error, requests.ConnectTimeout):
        return False
    seen: set[int] = set()
    pending: list[BaseException] = [error]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        name = type(current).__name__
        if name in ("NewConnectionError", "NameResolutionError", "ConnectTimeoutError", "ConnectionRefusedError"):
            return False
        pending.extend(a for a in getattr(current, "args", ()) if isinstance(a, BaseException))
        for attr in ("reason", "__cause__", "__context__"):
            inner = getattr(current, attr, None)
            if isinstance(inner, BaseException):
                pending.append(inner)
    return True


class HttpClient:
    """JSON calls and downloads for one provider over one requests.Session."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        provider: str,
        map_error: ErrorMapper,
        timeouts: Timeouts = Timeouts(),
        retry: RetryPolicy = RetryPolicy(),
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.provider = provider
        self.timeouts = timeouts
        self.retry = retry
        self._key = Secret(api_key)
        self._auth = BearerAuth(self._key)
        self._map_error = map_error
        self._sleep = sleep
        self._session = session or requests.Session()
        self._session.headers.update({"Accept": "application/json", **(headers or {})})

    def __repr__(self) -> str:
        return f"HttpClient(provider={self.provider!r}, base_url={self.base_url!r}, key={self._key!r})"

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def scrub(self, text: str) -> str:
        return scrub(text, [self._key.reveal()])

    def _scrub_json(self, value: Any) -> Any:
        """`value` with every string scrubbed: servers sometimes echo what they were sent."""
        if isinstance(value, str):
            return self.scrub(value)
        if isinstance(value, dict):
            return {k: self._scrub_json(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._scrub_json(v) for v in value]
        return value

    # --- JSON calls ------------------------------------------------------------------------------

    def call_json(
        self,
        method: str,
        path: str,
        *,
        operation: str,
        parse: Callable[[Any], T],
        json: Any = None,
        headers: dict[str, str] | None = None,
        retry_if: RetryIf = is_transient,
    ) -> T:
        """Send, decode and `parse` the answer, retrying what `retry_if` allows; the same body every time.

        Raises the mapped CloudError, or RetriesExhausted (chained to the last error) when every allowed
        attempt failed.
        """

        def attempt() -> T:
            response = self._send(method, self.base_url + path, operation, json=json, headers=headers)
            return parse(self._decode(response, operation))

        return self._with_retries(attempt, operation, retry_if)

    def _with_retries(self, attempt: Callable[[], T], operation: str, retry_if: RetryIf) -> T:
        policy = retrying(self.retry, retry_if, self._sleep)
        try:
            return policy(attempt)
        except TransientError as e:
            attempts = policy.statistics.get("attempt_number", 1)
            if retry_if(e) and attempts > 1:
                raise RetriesExhausted(e, attempts) from e
            raise

    def _send(
        self,
        method: str,
        url: str,
        operation: str,
        *,
        json: Any = None,
        headers: dict[str, str] | None = None,
        stream: bool = False,
        auth: requests.auth.AuthBase | None = None,
        map_error: ErrorMapper | None = None,
    ) -> requests.Response:
        kwargs = dict(json=json, headers=headers, timeout=self.timeouts.as_requests(), stream=stream)
        try:
            response = self._session.request(method, url, auth=auth or self._auth, **kwargs)
        except requests.Timeout as e:
            raise TimedOut(
                f"no answer within {self._timeout_for(e):g} s",
                request_sent=_request_was_sent(e),
                provider=self.provider,
                operation=operation,
            ) from e
        except (
            requests.exceptions.InvalidURL,
            requests.exceptions.MissingSchema,
            requests.exceptions.InvalidSchema,
        ) as e:
            raise InvalidRequest(
                f"the URL {self.scrub(url)!r} is not valid",
                provider=self.provider,
                operation=operation,
                hint="Check the base URL setting.",
            ) from e
        except requests.RequestException as e:
            raise ConnectionFailed(
                f"connection failed: {self.scrub(_short(e))}",
                request_sent=_request_was_sent(e),
                provider=self.provider,
                operation=operation,
            ) from e
        if response.status_code >= 400:
            failure = self._failure(response, operation)
            response.close()
            raise (map_error or self._map_error)(failure)
        return response

    def _timeout_for(self, error: requests.Timeout) -> float:
        return self.timeouts.connect if isinstance(error, requests.ConnectTimeout) else self.timeouts.read

    def _failure(self, response: requests.Response, operation: str) -> HttpFailure:
        try:
            text = response.text
        except requests.RequestException:
            text = ""
        try:
            body = response.json()
        except ValueError:
            body = None
        return HttpFailure(
            operation=operation,
            status=response.status_code,
            body=self._scrub_json(body),
            text=self.scrub(text)[:_QUOTE_CHARS],
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
        )

    def _decode(self, response: requests.Response, operation: str) -> Any:
        try:
            return response.json()
        except (ValueError, requests.RequestException) as e:
            raise BadResponse(
                f"the answer is not JSON: {self.scrub(response.text)[:80]!r}",
                provider=self.provider,
                operation=operation,
                status=response.status_code,
            ) from e

    # --- downloads -------------------------------------------------------------------------------

    def download(self, url: str, path: Path, *, operation: str = "download", task_id: str | None = None) -> Path:
        """Stream `url` to `path` through a temporary sibling renamed at the end. Never sends the key.

        403/404/410 raise ResultExpired; transient failures (including a short body) are retried; a file
        that cannot be written raises OutputError.
        """
        path = Path(path)

        def map_error(failure: HttpFailure) -> CloudError:
            return _download_error(failure, self.provider, task_id)

        def attempt() -> Path:
            response = self._send(
                "GET", url, operation, headers={"Accept": "*/*"}, stream=True, auth=_NoAuth(), map_error=map_error
            )
            with response:
                _stream_to(response, path, self, operation)
            return path

        return self._with_retries(attempt, operation, is_transient)


def _download_error(failure: HttpFailure, provider: str, task_id: str | None) -> CloudError:
    """Result links live on storage hosts (signed URLs, XML errors), so only the HTTP status counts."""
    kwargs = dict(provider=provider, operation=failure.operation, status=failure.status)
    if failure.status in (403, 404, 410):
        return ResultExpired("the result link no longer works", task_id=task_id, **kwargs)
    if failure.status == 429:
        return RateLimited("the storage host asks us to slow down", retry_after=failure.retry_after, **kwargs)
    if failure.status >= 500:
        return ServerError("the storage host failed", retry_after=failure.retry_after, **kwargs)
    return RejectedError(f"the result link was refused: {failure.text[:120]}", **kwargs)


def _stream_to(response: requests.Response, path: Path, client: HttpClient, operation: str) -> None:
    # Content-Length counts encoded bytes; compare only when the body is sent as is.
    encoded = response.headers.get("Content-Encoding", "identity").lower() not in ("", "identity")
    expected = None if encoded else response.headers.get("Content-Length")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".partial")
    except OSError as e:
        raise OutputError(f"cannot write the clip to {path}: {e.strerror or e}") from e
    received = 0
    try:
        with os.fdopen(handle, "wb") as out:
            try:
                for chunk in response.iter_content(_CHUNK_BYTES):
                    out.write(chunk)
                    received += len(chunk)
            except requests.RequestException as e:
                raise ConnectionFailed(
                    f"the download broke off after {received} bytes: {client.scrub(_short(e))}",
                    provider=client.provider,
                    operation=operation,
                ) from e
        if expected is not None and expected.isdigit() and received != int(expected):
            raise BadResponse(
                f"the download stopped at {received} of {expected} bytes",
                provider=client.provider,
                operation=operation,
            )
        if received == 0:
            raise BadResponse("the downloaded file is empty", provider=client.provider, operation=operation)
        os.replace(temporary, path)
    except OSError as e:
        raise OutputError(f"cannot write the clip to {path}: {e.strerror or e}") from e
    finally:
        Path(temporary).unlink(missing_ok=True)


def _short(error: BaseException) -> str:
    text = str(error) or type(error).__name__
    return text if len(text) <= 200 else text[:200] + "..."
