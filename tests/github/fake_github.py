"""A loopback fake of the GitHub REST endpoints in shared/contracts/github-rest-subset.json.

It is a real HTTP server (127.0.0.1, port 0). For every request it matches method + path
against the description's `paths`, checks path/query parameters and validates the JSON body
against the operation's requestBody schema (OAS30Validator + a referencing Registry holding the
whole subset), answering 422 like GitHub on invalid bodies. It keeps state (review comments,
reviews, issue comments, SARIF uploads) for one pull request, rejects inline comments outside
the PR's hunks as GitHub does (the whole review fails), and injects faults on demand.

The hunk check here is deliberately independent of reviewer/diff.py, so a parser bug there
cannot hide behind the same bug here.
"""

from __future__ import annotations

import base64
import copy
import gzip
import json
import re
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from openapi_schema_validator import OAS30Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

TOKEN = "ghs_TESTtoken_must_never_be_printed_0123456789"
SPEC_URI = "https://contracts.invalid/github-rest-subset.json"
BOT = {
    "login": "github-actions[bot]",
    "id": 41898282,
    "node_id": "MDM6Qm90NDE4OTgyODI=",
    "avatar_url": "https://avatars.githubusercontent.com/in/15368?v=4",
    "gravatar_id": "",
    "url": "https://api.github.com/users/github-actions%5Bbot%5D",
    "html_url": "https://github.com/apps/github-actions",
    "followers_url": "https://api.github.com/users/github-actions%5Bbot%5D/followers",
    "following_url": "https://api.github.com/users/github-actions%5Bbot%5D/following{/other_user}",
    "gists_url": "https://api.github.com/users/github-actions%5Bbot%5D/gists{/gist_id}",
    "starred_url": "https://api.github.com/users/github-actions%5Bbot%5D/starred{/owner}{/repo}",
    "subscriptions_url": "https://api.github.com/users/github-actions%5Bbot%5D/subscriptions",
    "organizations_url": "https://api.github.com/users/github-actions%5Bbot%5D/orgs",
    "repos_url": "https://api.github.com/users/github-actions%5Bbot%5D/repos",
    "events_url": "https://api.github.com/users/github-actions%5Bbot%5D/events{/privacy}",
    "received_events_url": "https://api.github.com/users/github-actions%5Bbot%5D/received_events",
    "type": "Bot",
    "site_admin": False,
}
WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})
READ_ONLY_BODY = {
    "message": "Resource not accessible by integration",
    "documentation_url": "https://docs.github.com/rest",
    "status": "403",
}
_HUNK_RE = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


def _strip_discriminators(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _strip_discriminators(v) for k, v in node.items() if k != "discriminator"}
    if isinstance(node, list):
        return [_strip_discriminators(v) for v in node]
    return node


def _pointer(*parts: str) -> str:
    return "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


@dataclass(frozen=True)
class Operation:
    op_id: str
    method: str
    template: str
    regex: re.Pattern[str]
    spec: dict[str, Any]


class Spec:
    """The REST subset, its operations and validators for bodies and parameters."""

    def __init__(self, path: Path) -> None:
        self.doc: dict[str, Any] = _strip_discriminators(json.loads(path.read_text("utf-8")))
        resource = Resource.from_contents(self.doc, default_specification=DRAFT4)
        self.registry: Registry[Any] = Registry().with_resource(SPEC_URI, resource)
        self.operations: list[Operation] = []
        for template, item in self.doc["paths"].items():
            pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
            for method, op in item.items():
                if method in ("get", "post", "patch", "put", "delete"):
                    self.operations.append(
                        Operation(
                            op["operationId"],
                            method.upper(),
                            template,
                            re.compile(f"^{pattern}$"),
                            op,
                        )
                    )
        self._validators: dict[str, OAS30Validator] = {}

    def match(self, method: str, path: str) -> tuple[Operation, dict[str, str]] | None:
        for op in self.operations:
            m = op.regex.match(path)
            if m and op.method == method:
                return op, {k: urllib.parse.unquote(v) for k, v in m.groupdict().items()}
        return None

    def validator(self, ref: str) -> OAS30Validator:
        if ref not in self._validators:
            self._validators[ref] = OAS30Validator({"$ref": ref}, registry=self.registry)
        return self._validators[ref]

    def body_errors(self, op: Operation, body: Any) -> list[str]:
        request = op.spec.get("requestBody")
        if request is None:
            return []
        ref = (
            SPEC_URI
            + "#/"
            + _pointer(
                "paths",
                op.template,
                op.method.lower(),
                "requestBody",
                "content",
                "application/json",
            )
        )
        ref += "/schema"
        errors = sorted(self.validator(ref).iter_errors(body), key=lambda e: list(e.path))
        return [f"{'/'.join(map(str, e.path)) or '(body)'}: {e.message}" for e in errors]

    def resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            target: Any = self.doc
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            node = target
        return node

    def parameter_errors(
        self, op: Operation, path_args: dict[str, str], query: dict[str, str]
    ) -> list[str]:
        """Path and query parameters against their schemas (integers must be integers)."""
        errors = []
        for raw in op.spec.get("parameters", []):
            param = self.resolve(raw)
            source = path_args if param["in"] == "path" else query if param["in"] == "query" else {}
            if param["name"] not in source:
                if param.get("required"):
                    errors.append(f"missing parameter {param['name']}")
                continue
            value: Any = source[param["name"]]
            schema = self.resolve(param.get("schema", {}))
            if schema.get("type") == "integer":
                if not re.fullmatch(r"-?\d+", value):
                    errors.append(f"{param['name']}: {value!r} is not an integer")
                    continue
                value = int(value)
            for err in OAS30Validator(schema).iter_errors(value):
                errors.append(f"{param['name']}: {err.message}")
        return errors

    def example(self, name: str) -> Any:
        return copy.deepcopy(self.doc["components"]["examples"][name]["value"])


@dataclass
class Fault:
    """Answer `status` instead of handling the request, `times` times."""

    op_id: str
    status: int
    body: dict[str, Any] = field(default_factory=lambda: {"message": "Server Error"})
    headers: dict[str, str] = field(default_factory=dict)
    times: int = 1
    when: Callable[[Any], bool] | None = None
    applied: bool = False  # handle the request first, then answer `status` (a lost response)


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    op_id: str
    status: int
    body: Any
    headers: dict[str, str]


def parse_hunks(patch: str) -> list[tuple[set[int], set[int]]]:
    """Per hunk: (RIGHT lines: added+context, LEFT lines: deleted+context), as GitHub sees it."""
    hunks: list[tuple[set[int], set[int]]] = []
    old = new = 0
    for line in patch.split("\n"):
        m = _HUNK_RE.match(line)
        if m:
            old, new = int(m[1]), int(m[3])
            hunks.append((set(), set()))
        elif not hunks or line.startswith("\\"):
            continue
        elif line.startswith("+"):
            hunks[-1][0].add(new)
            new += 1
        elif line.startswith("-"):
            hunks[-1][1].add(old)
            old += 1
        else:
            hunks[-1][0].add(new)
            hunks[-1][1].add(old)
            old, new = old + 1, new + 1
    return hunks


class FakeGitHub:
    """State and behaviour of the fake; `url` is the API base URL to give the client."""

    def __init__(
        self,
        spec: Spec,
        *,
        owner: str,
        repo: str,
        number: int,
        head_sha: str,
        files: list[dict[str, Any]],
        token: str,
        page_size: int = 100,
    ) -> None:
        self.spec = spec
        self.owner, self.repo, self.number, self.head_sha = owner, repo, number, head_sha
        self.files = files
        self.token = token
        self.page_size = page_size
        self.review_comments: list[dict[str, Any]] = []
        self.issue_comments: list[dict[str, Any]] = []
        self.reviews: list[dict[str, Any]] = []
        self.sarifs: list[dict[str, Any]] = []
        self.requests: list[Recorded] = []
        self.faults: list[Fault] = []
        self.read_only = False
        self.reject_anchors: set[tuple[str, int]] = set()  # (path, line): 422 as if outdated
        self.reject_file_comments: set[str] = set()
        self.sarif_limit = 10 * 1024 * 1024
        self.internal_errors: list[str] = []
        self._next_id = 1000
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FakeGitHub:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    # ------------------------------------------------------------------ helpers for tests

    def writes(self) -> list[Recorded]:
        return [r for r in self.requests if r.method in WRITE_METHODS]

    def content_creating(self) -> list[Recorded]:
        return [r for r in self.requests if r.method in WRITE_METHODS and r.status < 400]

    def add_reply(self, to_id: int, body: str, login: str = "octocat") -> dict[str, Any]:
        """A human's reply to comment `to_id` (state only, no request)."""
        parent = next(c for c in self.review_comments if c["id"] == to_id)
        reply = self._review_comment(
            {"path": parent["path"], "body": body, "line": parent["line"], "side": "RIGHT"}
        )
        reply["in_reply_to_id"] = to_id
        reply["user"] = {**BOT, "login": login, "type": "User"}
        self.review_comments.append(reply)
        return reply

    def new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    # ------------------------------------------------------------------ GitHub's anchor rule

    def anchor_error(self, comment: dict[str, Any]) -> str | None:
        path = comment.get("path")
        entry = next((f for f in self.files if f["filename"] == path), None)
        if entry is None:
            return "Path could not be resolved"
        if comment.get("subject_type") == "file":
            return "File comment rejected (injected)" if path in self.reject_file_comments else None
        line = comment.get("line")
        if not isinstance(line, int):
            return "Line is required for line comments"
        if (path, line) in self.reject_anchors:
            return "Pull request review thread line must be part of the diff"
        side = comment.get("side", "RIGHT")
        index = 0 if side == "RIGHT" else 1
        hunks = parse_hunks(entry.get("patch") or "")
        hunk = next((h for h in hunks if line in h[index]), None)
        if hunk is None:
            return "Pull request review thread line must be part of the diff"
        start = comment.get("start_line")
        if start is not None:
            if comment.get("start_side", side) != side:
                return "start_side must match side in this fake"
            if start >= line:
                return "Pull request review thread start line must precede the end line"
            if start not in hunk[index]:
                return "Pull request review thread start line must be part of the same hunk"
        return None

    # ------------------------------------------------------------------ responses

    def _review_comment(self, data: dict[str, Any], review_id: int | None = None) -> dict[str, Any]:
        cid = self.new_id()
        item = self.spec.example("pull-request-review-comment-2")
        base = f"https://api.github.com/repos/{self.owner}/{self.repo}"
        entry = next((f for f in self.files if f["filename"] == data.get("path")), {})
        item.update(
            id=cid,
            node_id=f"PRRC_{cid}",
            url=f"{base}/pulls/comments/{cid}",
            html_url=f"https://github.com/{self.owner}/{self.repo}/pull/{self.number}#discussion_r{cid}",
            pull_request_url=f"{base}/pulls/{self.number}",
            pull_request_review_id=review_id or self.new_id(),
            diff_hunk=(entry.get("patch") or "")[:200],
            path=data.get("path", ""),
            commit_id=self.head_sha,
            original_commit_id=self.head_sha,
            user=copy.deepcopy(BOT),
            body=data["body"],
            created_at="2026-11-26T12:00:00Z",
            updated_at="2026-11-26T12:00:00Z",
            subject_type=data.get("subject_type", "line"),
            side=data.get("side", "RIGHT"),
            line=data.get("line"),
            original_line=data.get("line"),
            start_line=data.get("start_line"),
            original_start_line=data.get("start_line"),
            start_side=data.get("start_side") if data.get("start_line") else None,
            author_association="NONE",
        )
        item.pop("in_reply_to_id", None)
        item["_links"]["self"]["href"] = item["url"]
        return item

    def _issue_comment(self, body: str) -> dict[str, Any]:
        cid = self.new_id()
        item = self.spec.example("issue-comment")
        base = f"https://api.github.com/repos/{self.owner}/{self.repo}"
        item.update(
            id=cid,
            node_id=f"IC_{cid}",
            url=f"{base}/issues/comments/{cid}",
            html_url=f"https://github.com/{self.owner}/{self.repo}/pull/{self.number}#issuecomment-{cid}",
            issue_url=f"{base}/issues/{self.number}",
            body=body,
            user=copy.deepcopy(BOT),
            author_association="NONE",
        )
        return item

    def handle(
        self, op: Operation, path: str, args: dict[str, str], query: dict[str, str], body: Any
    ) -> tuple[int, Any, dict[str, str]]:
        """The operation itself, on valid input. Returns status, JSON body, extra headers."""
        oid = op.op_id
        if "owner" in args and (args["owner"], args.get("repo")) != (self.owner, self.repo):
            return 404, {"message": "Not Found"}, {}
        number = args.get("pull_number") or args.get("issue_number")
        if number is not None and int(number) != self.number:
            return 404, {"message": "Not Found"}, {}
        if oid == "pulls/get":
            pr = self.spec.example("pull-request")
            pr["number"] = self.number
            pr["head"]["sha"] = self.head_sha
            return 200, pr, {}
        if oid == "pulls/list-files":
            return self.page(self.files, path, query)
        if oid == "pulls/list-review-comments":
            return self.page(self.review_comments, path, query)
        if oid == "issues/list-comments":
            return self.page(self.issue_comments, path, query)
        if oid == "pulls/create-review":
            return self.create_review(body)
        if oid == "pulls/create-review-comment":
            return self.create_review_comment(body)
        if oid in ("pulls/update-review-comment", "issues/update-comment"):
            items = self.review_comments if oid.startswith("pulls") else self.issue_comments
            item = next((c for c in items if c["id"] == int(args["comment_id"])), None)
            if item is None:
                return 404, {"message": "Not Found"}, {}
            item["body"] = body["body"]
            item["updated_at"] = "2026-11-26T12:30:00Z"
            return 200, item, {}
        if oid in ("pulls/delete-review-comment", "issues/delete-comment"):
            items = self.review_comments if oid.startswith("pulls") else self.issue_comments
            item = next((c for c in items if c["id"] == int(args["comment_id"])), None)
            if item is None:
                return 404, {"message": "Not Found"}, {}
            items.remove(item)
            return 204, None, {}
        if oid == "issues/create-comment":
            item = self._issue_comment(body["body"])
            self.issue_comments.append(item)
            return 201, item, {}
        if oid == "code-scanning/upload-sarif":
            return self.upload_sarif(body)
        return 501, {"message": f"{oid} is not implemented by the fake"}, {}

    def page(
        self, items: list[dict[str, Any]], path: str, query: dict[str, str]
    ) -> tuple[int, Any, dict[str, str]]:
        per_page = min(int(query.get("per_page", 30)), 100, self.page_size)
        page = int(query.get("page", 1))
        chunk = items[(page - 1) * per_page : page * per_page]
        headers = {}
        last = max(1, -(-len(items) // per_page))
        if page < last:
            nxt = f"{self.url}{path}?per_page={per_page}&page={page + 1}"
            end = f"{self.url}{path}?per_page={per_page}&page={last}"
            headers["Link"] = f'<{nxt}>; rel="next", <{end}>; rel="last"'
        return 200, copy.deepcopy(chunk), headers

    def create_review(self, body: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        if body.get("commit_id", self.head_sha) != self.head_sha:
            return 422, {"message": "Unprocessable Entity", "errors": ["commit_id is stale"]}, {}
        if body.get("event") in ("COMMENT", "REQUEST_CHANGES") and not body.get("body"):
            return 422, {"message": "Unprocessable Entity", "errors": ["Body is required"]}, {}
        for comment in body.get("comments", []):
            problem = self.anchor_error(comment)
            if problem:  # GitHub fails the whole review and does not say which entry
                return 422, {"message": "Unprocessable Entity", "errors": [problem]}, {}
        rid = self.new_id()
        review = self.spec.example("pull-request-review")
        review.update(id=rid, body=body.get("body", ""), commit_id=self.head_sha, user=BOT)
        review["state"] = {"COMMENT": "COMMENTED", "APPROVE": "APPROVED"}.get(
            body.get("event", ""), "PENDING"
        )
        self.reviews.append(review)
        for comment in body.get("comments", []):
            self.review_comments.append(self._review_comment(comment, rid))
        return 200, review, {}

    def create_review_comment(self, body: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        if body["commit_id"] != self.head_sha:
            return 422, {"message": "Unprocessable Entity", "errors": ["commit_id is stale"]}, {}
        problem = self.anchor_error(body)
        if problem:
            return 422, {"message": "Validation Failed", "errors": [problem]}, {}
        item = self._review_comment(body)
        self.review_comments.append(item)
        return 201, item, {}

    def upload_sarif(self, body: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        packed = base64.b64decode(body["sarif"], validate=True)
        if len(packed) > self.sarif_limit:
            return 413, {"message": "Payload Too Large"}, {}
        log = json.loads(gzip.decompress(packed))
        receipt = self.spec.example("code-scanning-sarif-upload")
        self.sarifs.append({"request": body, "log": log, "id": receipt["id"]})
        return 202, receipt, {}


def _make_handler(fake: FakeGitHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def _reply(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
            raw = b"" if body is None else json.dumps(body).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(raw)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(raw)

        def _serve(self) -> None:
            method = self.command
            parts = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(parts.query))
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            body: Any = None
            with fake._lock:
                try:
                    status, reply, extra, oid = self._dispatch(
                        method, parts.path, query, raw, headers
                    )
                except Exception as exc:  # a bug in the fake must fail the test, not hang it
                    fake.internal_errors.append(f"{method} {parts.path}: {exc!r}")
                    status, reply, extra, oid = 500, {"message": "fake crashed"}, {}, ""
                if raw:
                    try:
                        body = json.loads(raw)
                    except ValueError:
                        body = raw
                fake.requests.append(Recorded(method, parts.path, oid, status, body, headers))
            self._reply(status, reply, extra)

        def _dispatch(
            self,
            method: str,
            path: str,
            query: dict[str, str],
            raw: bytes,
            headers: dict[str, str],
        ) -> tuple[int, Any, dict[str, str], str]:
            if headers.get("authorization") != f"Bearer {fake.token}":
                return 401, {"message": "Bad credentials"}, {}, ""
            matched = fake.spec.match(method, path)
            if matched is None:
                return 404, {"message": "Not Found"}, {}, ""
            op, args = matched
            problems = fake.spec.parameter_errors(op, args, query)
            if problems:
                return 422, {"message": "Invalid request.", "errors": problems}, {}, op.op_id
            body: Any = None
            if "requestBody" in op.spec:
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    return 400, {"message": "Problems parsing JSON"}, {}, op.op_id
                errors = fake.spec.body_errors(op, body)
                if errors:
                    message = "Invalid request.\n\n" + "\n".join(errors)
                    return 422, {"message": message, "errors": errors}, {}, op.op_id
            for fault in fake.faults:
                wanted = fault.when is None or fault.when(body)
                if fault.op_id == op.op_id and fault.times > 0 and wanted:
                    fault.times -= 1
                    if fault.applied:
                        fake.handle(op, path, args, query, body)
                    return fault.status, fault.body, dict(fault.headers), op.op_id
            if fake.read_only and method in WRITE_METHODS:
                return 403, READ_ONLY_BODY, {}, op.op_id
            status, reply, extra = fake.handle(op, path, args, query, body)
            return status, reply, extra, op.op_id

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve  # noqa: N815

    return Handler


def actions_env(
    fake: FakeGitHub, event_path: Path, event_name: str = "pull_request", **extra: str
) -> dict[str, str]:
    env = {
        "GITHUB_EVENT_NAME": event_name,
        "GITHUB_EVENT_PATH": str(event_path),
        "GITHUB_REPOSITORY": f"{fake.owner}/{fake.repo}",
        "GITHUB_TOKEN": TOKEN,
        "GITHUB_API_URL": fake.url,
    }
    env.update(extra)
    return env


class Sleeps(list[float]):
    """An injectable sleep that records instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)
