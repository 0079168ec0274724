"""A small GitHub REST client on the standard library, with the retries GitHub asks for.

Why not a library: the Action makes a dozen kinds of calls, and the parts that matter (rate-limit
handling, typed 422s, never leaking the token) are GitHub-specific anyway. Rules followed:

* primary/secondary rate limits (403 or 429 with ``Retry-After``, ``X-RateLimit-Remaining: 0``
  or a "rate limit" message): wait as told (``Retry-After``, else until ``X-RateLimit-Reset``,
  else one minute, as GitHub's docs say), but never longer than `RetryPolicy.max_wait`; a longer
  required wait raises `RateLimitedError` at once instead of hanging the job;
* 5xx and connection errors: exponential backoff, `RetryPolicy.max_retries` times;
* content-changing requests are spaced `write_interval` seconds apart, as GitHub asks;
* 422 raises `ValidationFailedError` carrying GitHub's message and ``errors``; other 403s raise
  `ForbiddenError` (``read_only`` tells a fork PR's downgraded token apart);
* the token goes only into the Authorization header of requests to the API's own origin; it is
  not in repr(), in error messages or in logs.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import Message
from typing import Any

log = logging.getLogger("reviewer.github")

DEFAULT_API_URL = "https://api.github.com"
API_VERSION = "2022-11-28"
READ_ONLY_MESSAGE = "Resource not accessible by integration"
_RETRY_STATUSES = frozenset({500, 502, 503, 504})


class GitHubError(Exception):
    """A request failed; `status` is the HTTP status (0 for connection errors)."""

    def __init__(
        self,
        status: int,
        method: str,
        path: str,
        message: str,
        errors: tuple[Any, ...] = (),
        documentation_url: str = "",
    ) -> None:
        self.status = status
        self.method = method
        self.path = path
        self.message = message
        self.errors = errors
        self.documentation_url = documentation_url
        detail = f"{message} {list(errors)}" if errors else message
        super().__init__(f"GitHub {method} {path} -> {status}: {detail}")


class ValidationFailedError(GitHubError):
    """422: GitHub rejected the request body (for reviews: usually a line outside the diff)."""


class ForbiddenError(GitHubError):
    """403 that is not a rate limit."""

    @property
    def read_only(self) -> bool:
        """True for the downgraded token of fork PRs (and tokens without write permission)."""
        return READ_ONLY_MESSAGE.lower() in self.message.lower()


class NotFoundError(GitHubError):
    """404 (also what GitHub answers for private repositories the token cannot see)."""


class PayloadTooLargeError(GitHubError):
    """413: the body is over GitHub's limit."""


class ServerError(GitHubError):
    """5xx on a request that creates content: GitHub may have applied it anyway, so it is not
    retried blindly (a retried POST duplicated the review, issue 11 U11); the caller re-lists
    what it created and posts only what is missing."""


class RateLimitedError(GitHubError):
    """Rate limited and the retries or the wait cap ran out."""


@dataclass(frozen=True)
class RetryPolicy:
    """Bounds on retrying; tests pass tiny values with an injected sleep."""

    max_retries: int = 4
    max_wait: float = 90.0  # seconds; a longer required wait fails fast
    backoff_base: float = 1.0  # 5xx: base, 2*base, 4*base, ...
    secondary_default_wait: float = 60.0  # rate limited without a hint: "wait at least a minute"


@dataclass(frozen=True)
class Response:
    status: int
    headers: Mapping[str, str]
    data: Any


def _headers(msg: Message | Mapping[str, str] | None) -> dict[str, str]:
    if msg is None:
        return {}
    return {k.lower(): v for k, v in msg.items()}


class GitHubClient:
    """Calls the operations the review flow needs; see the module docstring for the rules."""

    def __init__(
        self,
        token: str,
        api_url: str = DEFAULT_API_URL,
        *,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        timeout: float = 30.0,
        user_agent: str = "backend-review",
        write_interval: float = 1.0,
    ) -> None:
        if not token:
            raise ValueError("a GitHub token is required")
        self._token = token
        self.api_url = (api_url or DEFAULT_API_URL).rstrip("/")
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        self._clock = clock
        self.timeout = timeout
        self.user_agent = user_agent
        # GitHub: "wait at least one second between each" POST/PATCH/PUT/DELETE request
        self.write_interval = write_interval
        self._last_write: float | None = None
        parts = urllib.parse.urlsplit(self.api_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"invalid GitHub API URL {self.api_url!r}")
        self._origin = (parts.scheme, parts.netloc)
        self._base_path = parts.path
        self._opener = urllib.request.build_opener(_NoRedirect)

    def __repr__(self) -> str:
        return f"GitHubClient(api_url={self.api_url!r}, token='***')"

    __str__ = __repr__

    # ------------------------------------------------------------------ transport

    def _url(self, path: str, params: Mapping[str, Any] | None) -> str:
        if path.startswith(("http://", "https://")):
            url = path
        else:
            url = self.api_url + "/" + path.lstrip("/")
        if params:
            sep = "&" if "?" in url else "?"
            url += sep + urllib.parse.urlencode({k: v for k, v in params.items() if v is not None})
        return url

    def _display(self, url: str) -> str:
        """The URL's path (no host, no query) for messages."""
        path = urllib.parse.urlsplit(url).path
        if self._base_path and path.startswith(self._base_path):
            path = path[len(self._base_path) :] or "/"
        return path

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        creates: bool = False,
    ) -> Response:
        """One API call with retries; raises a `GitHubError` subclass on failure.

        `creates`: the request makes a comment or review, so a server error raises
        `ServerError` at once instead of being retried."""
        url = self._url(path, params)
        parts = urllib.parse.urlsplit(url)
        if (parts.scheme, parts.netloc) != self._origin:
            raise ValueError(f"refusing to send the token to another origin: {parts.netloc}")
        shown = self._display(url)
        data = None if body is None else json.dumps(body).encode("utf-8")
        attempt = 0
        while True:
            if method != "GET":
                self._pace_write()
            status, headers, raw = self._send(method, url, data, shown)
            payload = _decode(raw)
            if 200 <= status < 300:
                return Response(status, headers, payload)
            wait, kind = self._retry_wait(status, headers, payload, attempt)
            message, errors, doc = _error_parts(payload, status)
            if creates and status in _RETRY_STATUSES:
                raise ServerError(status, method, shown, message, errors, doc)
            if wait is None or attempt >= self.retry.max_retries:
                raise _error_for(status, kind, method, shown, message, errors, doc)
            log.info(
                "GitHub %s %s -> %s (%s); retrying in %.1f s", method, shown, status, kind, wait
            )
            self._sleep(wait)
            attempt += 1

    def back_off(self, attempt: int) -> None:
        """Wait as a retry after a server error would (for callers that re-list first)."""
        self._sleep(min(self.retry.backoff_base * 2**attempt, self.retry.max_wait))

    def _pace_write(self) -> None:
        """Space content-changing requests out, which avoids most secondary rate limits."""
        if self._last_write is not None and self.write_interval > 0:
            remaining = self.write_interval - (self._clock() - self._last_write)
            if remaining > 0:
                self._sleep(remaining)
        self._last_write = self._clock()

    def _send(
        self, method: str, url: str, data: bytes | None, shown: str
    ) -> tuple[int, dict[str, str], bytes]:
        attempt = 0
        while True:
            req = urllib.request.Request(url, data=data, method=method)
            req.add_header("Accept", "application/vnd.github+json")
            req.add_header("X-GitHub-Api-Version", API_VERSION)
            req.add_header("User-Agent", self.user_agent)
            if data is not None:
                req.add_header("Content-Type", "application/json")
            req.add_unredirected_header("Authorization", f"Bearer {self._token}")
            try:
                with self._opener.open(req, timeout=self.timeout) as resp:
                    return resp.status, _headers(resp.headers), resp.read()
            except urllib.error.HTTPError as exc:
                with exc:
                    return exc.code, _headers(exc.headers), exc.read()
            except (urllib.error.URLError, OSError) as exc:
                reason = getattr(exc, "reason", exc)
                if attempt >= self.retry.max_retries:
                    raise GitHubError(0, method, shown, f"connection failed: {reason}") from None
                wait = min(self.retry.backoff_base * 2**attempt, self.retry.max_wait)
                log.info("GitHub %s %s: %s; retrying in %.1f s", method, shown, reason, wait)
                self._sleep(wait)
                attempt += 1

    def _retry_wait(
        self, status: int, headers: Mapping[str, str], payload: Any, attempt: int
    ) -> tuple[float | None, str]:
        """How long to wait before retrying, or None when the failure is final."""
        if status in (403, 429) and _is_rate_limit(status, headers, payload):
            wait = self._rate_limit_wait(headers)
            if wait > self.retry.max_wait:
                return (
                    None,
                    f"rate limited for {wait:.0f} s, over the {self.retry.max_wait:.0f} s cap",
                )
            return wait, "rate limited"
        if status in _RETRY_STATUSES:
            return min(self.retry.backoff_base * 2**attempt, self.retry.max_wait), "server error"
        return None, ""

    def _rate_limit_wait(self, headers: Mapping[str, str]) -> float:
        retry_after = headers.get("retry-after")
        if retry_after is not None:
            try:
                return max(0.0, float(retry_after))
            except ValueError:
                pass
        if headers.get("x-ratelimit-remaining") == "0" and "x-ratelimit-reset" in headers:
            try:
                return max(0.0, float(headers["x-ratelimit-reset"]) - self._clock()) + 1.0
            except ValueError:
                pass
        return self.retry.secondary_default_wait

    def paginate(self, path: str, params: Mapping[str, Any] | None = None) -> list[Any]:
        """All items of a list endpoint, following ``Link: <...>; rel="next"``."""
        items: list[Any] = []
        url: str | None = path
        query: Mapping[str, Any] | None = {"per_page": 100, **(params or {})}
        while url is not None:
            resp = self.request("GET", url, params=query)
            if not isinstance(resp.data, list):
                raise GitHubError(resp.status, "GET", self._display(url), "expected a JSON list")
            items.extend(resp.data)
            url, query = _next_link(resp.headers.get("link", "")), None
        return items

    # ------------------------------------------------------------------ operations

    @staticmethod
    def _repo(owner: str, repo: str) -> str:
        q = urllib.parse.quote
        return f"/repos/{q(owner, safe='')}/{q(repo, safe='')}"

    def get_pull(self, owner: str, repo: str, number: int) -> dict[str, Any]:
        """pulls/get"""
        data: dict[str, Any] = self.request("GET", f"{self._repo(owner, repo)}/pulls/{number}").data
        return data

    def list_pull_files(self, owner: str, repo: str, number: int) -> list[dict[str, Any]]:
        """pulls/list-files (GitHub lists at most LIST_FILES_CAP files: see `scope`)."""
        return self.paginate(f"{self._repo(owner, repo)}/pulls/{number}/files")

    def create_review(
        self,
        owner: str,
        repo: str,
        number: int,
        *,
        commit_id: str,
        body: str,
        comments: list[dict[str, Any]],
        event: str = "COMMENT",
    ) -> dict[str, Any]:
        """pulls/create-review"""
        payload = {"commit_id": commit_id, "body": body, "event": event, "comments": comments}
        path = f"{self._repo(owner, repo)}/pulls/{number}/reviews"
        data: dict[str, Any] = self.request("POST", path, body=payload, creates=True).data
        return data

    def list_review_comments(self, owner: str, repo: str, number: int) -> list[dict[str, Any]]:
        """pulls/list-review-comments"""
        return self.paginate(f"{self._repo(owner, repo)}/pulls/{number}/comments")

    def create_review_comment(
        self, owner: str, repo: str, number: int, comment: Mapping[str, Any]
    ) -> dict[str, Any]:
        """pulls/create-review-comment; `comment` holds body, commit_id, path, line, ..."""
        path = f"{self._repo(owner, repo)}/pulls/{number}/comments"
        data: dict[str, Any] = self.request("POST", path, body=dict(comment), creates=True).data
        return data

    def update_review_comment(
        self, owner: str, repo: str, comment_id: int, body: str
    ) -> dict[str, Any]:
        """pulls/update-review-comment"""
        path = f"{self._repo(owner, repo)}/pulls/comments/{comment_id}"
        data: dict[str, Any] = self.request("PATCH", path, body={"body": body}).data
        return data

    def delete_review_comment(self, owner: str, repo: str, comment_id: int) -> None:
        """pulls/delete-review-comment"""
        self.request("DELETE", f"{self._repo(owner, repo)}/pulls/comments/{comment_id}")

    def list_issue_comments(self, owner: str, repo: str, number: int) -> list[dict[str, Any]]:
        """issues/list-comments"""
        return self.paginate(f"{self._repo(owner, repo)}/issues/{number}/comments")

    def create_issue_comment(self, owner: str, repo: str, number: int, body: str) -> dict[str, Any]:
        """issues/create-comment"""
        path = f"{self._repo(owner, repo)}/issues/{number}/comments"
        data: dict[str, Any] = self.request("POST", path, body={"body": body}, creates=True).data
        return data

    def update_issue_comment(
        self, owner: str, repo: str, comment_id: int, body: str
    ) -> dict[str, Any]:
        """issues/update-comment"""
        path = f"{self._repo(owner, repo)}/issues/comments/{comment_id}"
        data: dict[str, Any] = self.request("PATCH", path, body={"body": body}).data
        return data

    def delete_issue_comment(self, owner: str, repo: str, comment_id: int) -> None:
        """issues/delete-comment"""
        self.request("DELETE", f"{self._repo(owner, repo)}/issues/comments/{comment_id}")

    def upload_sarif(self, owner: str, repo: str, payload: Mapping[str, Any]) -> dict[str, Any]:
        """code-scanning/upload-sarif; `payload` holds commit_sha, ref, sarif (gzip+base64)."""
        path = f"{self._repo(owner, repo)}/code-scanning/sarifs"
        data: dict[str, Any] = self.request("POST", path, body=dict(payload)).data
        return data


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects are returned as responses: following them could carry the token elsewhere."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _decode(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode("utf-8", "replace")


def _error_parts(payload: Any, status: int) -> tuple[str, tuple[Any, ...], str]:
    if isinstance(payload, dict):
        message = str(payload.get("message") or f"HTTP {status}")
        errors = payload.get("errors") or ()
        errors = tuple(errors) if isinstance(errors, list) else (errors,)
        return message, errors, str(payload.get("documentation_url") or "")
    if isinstance(payload, str) and payload.strip():
        return payload.strip()[:500], (), ""
    return f"HTTP {status}", (), ""


def _is_rate_limit(status: int, headers: Mapping[str, str], payload: Any) -> bool:
    if status == 429 or "retry-after" in headers:
        return True
    if headers.get("x-ratelimit-remaining") == "0":
        return True
    message = payload.get("message", "") if isinstance(payload, dict) else str(payload or "")
    return "rate limit" in str(message).lower()


def _error_for(
    status: int,
    kind: str,
    method: str,
    path: str,
    message: str,
    errors: tuple[Any, ...],
    doc: str,
) -> GitHubError:
    if kind.startswith("rate limited"):
        return RateLimitedError(status, method, path, f"{message} ({kind})", errors, doc)
    cls: type[GitHubError] = {
        403: ForbiddenError,
        404: NotFoundError,
        413: PayloadTooLargeError,
        422: ValidationFailedError,
    }.get(status, GitHubError)
    return cls(status, method, path, message, errors, doc)


def _next_link(link: str) -> str | None:
    """The rel="next" URL of a Link header, if any."""
    for part in link.split(","):
        section = part.split(";")
        if len(section) < 2:
            continue
        url = section[0].strip()
        if (
            url.startswith("<")
            and url.endswith(">")
            and any(s.strip().replace(" ", "") in ('rel="next"', "rel=next") for s in section[1:])
        ):
            return url[1:-1]
    return None
