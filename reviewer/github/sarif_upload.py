"""Upload a SARIF log to GitHub code scanning (POST /repos/{o}/{r}/code-scanning/sarifs).

The body carries the file gzip-compressed then base64-encoded; GitHub rejects more than 10 MB
of gzip data (413), so the size is checked before sending and a 413 becomes a clear error.
For pull requests the results belong to ``refs/pull/N/head`` at the head sha, for pushes to the
pushed ref at ``after``.
"""

from __future__ import annotations

import base64
import gzip
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reviewer.github.client import (
    ForbiddenError,
    GitHubClient,
    NotFoundError,
    PayloadTooLargeError,
)
from reviewer.github.event import EventContext

MAX_GZIP_BYTES = 10 * 1024 * 1024
_SHA_RE = re.compile(r"^[0-9a-fA-F]{40}(?:[0-9a-fA-F]{24})?$")
_REF_RE = re.compile(r"^refs/(heads|tags|pull)/.*$")


class SarifUploadError(Exception):
    """The upload cannot be made or was rejected; the message says why."""


@dataclass(frozen=True)
class SarifUploadResult:
    id: str
    url: str
    gzip_bytes: int


def encode_sarif(sarif: bytes | str | Mapping[str, Any]) -> tuple[str, int]:
    """gzip (deterministic: mtime 0) then base64; returns the text and the gzip size."""
    if isinstance(sarif, Mapping):
        raw = json.dumps(sarif, separators=(",", ":")).encode("utf-8")
    elif isinstance(sarif, str):
        raw = sarif.encode("utf-8")
    else:
        raw = sarif
    packed = gzip.compress(raw, mtime=0)
    return base64.b64encode(packed).decode("ascii"), len(packed)


def upload_sarif(
    client: GitHubClient,
    ctx: EventContext,
    sarif: bytes | str | Mapping[str, Any],
    *,
    tool_name: str | None = None,
    checkout_uri: str | None = None,
) -> SarifUploadResult:
    """Send `sarif` for the event's commit and ref; raises `SarifUploadError` on failure."""
    if not _SHA_RE.match(ctx.head_sha):
        raise SarifUploadError(f"no commit sha to upload for (got {ctx.head_sha!r})")
    if not _REF_RE.match(ctx.ref):
        raise SarifUploadError(f"code scanning needs a refs/heads|tags|pull ref, got {ctx.ref!r}")
    encoded, size = encode_sarif(sarif)
    if size > MAX_GZIP_BYTES:
        raise SarifUploadError(_too_large(size))
    payload: dict[str, Any] = {"commit_sha": ctx.head_sha, "ref": ctx.ref, "sarif": encoded}
    if tool_name:
        payload["tool_name"] = tool_name
    if checkout_uri:
        payload["checkout_uri"] = checkout_uri
    try:
        data = client.upload_sarif(ctx.owner, ctx.repo, payload)
    except PayloadTooLargeError:
        raise SarifUploadError(_too_large(size)) from None
    except ForbiddenError as exc:
        raise SarifUploadError(
            f"code scanning refused the upload ({exc.message}): the workflow needs "
            "`permissions: security-events: write`, and pull requests from forks cannot upload"
        ) from None
    except NotFoundError as exc:
        raise SarifUploadError(
            f"code scanning is not available for {ctx.full_name} ({exc.message}): private "
            "repositories need GitHub Code Security, and the token must see the repository"
        ) from None
    return SarifUploadResult(str(data.get("id", "")), str(data.get("url", "")), size)


def _too_large(size: int) -> str:
    return (
        f"SARIF file is too large for code scanning: {size / 1e6:.1f} MB gzip-compressed, "
        f"the limit is {MAX_GZIP_BYTES / 1e6:.1f} MB; narrow the analysis (paths, rules) or "
        "split it into several uploads with distinct runAutomationDetails categories"
    )
