"""BR601: a blocking call made directly on the event loop inside `async def`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst

from reviewer.checks.async_io._javascript import blocking_calls
from reviewer.checks.base import Invalid, Rule, Valid
from reviewer.imports import dotted_name
from reviewer.model import Confidence, Finding, Severity
from reviewer.node.express import is_test_file as is_node_test_file
from reviewer.node.syntax import Parsed
from reviewer.node.syntax import text as node_text

if TYPE_CHECKING:
    from reviewer.config import Config
    from reviewer.context import FileContext

# Fully qualified blocking functions -> (what it is, what to use instead).
_BLOCKING: dict[str, tuple[str, str]] = {
    "time.sleep": ("`time.sleep()` stops the whole event loop", "`await asyncio.sleep(...)`"),
    "input": ("`input()` blocks the event loop", "read input outside the event loop"),
    "open": (
        "`open()` does blocking file I/O on the event loop",
        "`anyio.open_file`/aiofiles, or `await asyncio.to_thread(...)`",
    ),
    "io.open": ("`io.open()` does blocking file I/O", "`anyio.open_file` or aiofiles"),
    "io.open_code": ("`io.open_code()` does blocking file I/O", "`anyio.open_file` or aiofiles"),
    "urllib.request.urlopen": (
        "`urllib.request.urlopen()` is a blocking HTTP call",
        "`httpx.AsyncClient` or `aiohttp.ClientSession`",
    ),
    "urllib3.request": (
        "`urllib3.request()` is a blocking HTTP call",
        "`httpx.AsyncClient` or `aiohttp.ClientSession`",
    ),
    "os.system": ("`os.system()` waits for a process", "`asyncio.create_subprocess_shell`"),
    "os.popen": ("`os.popen()` starts a blocking process", "`asyncio.create_subprocess_exec`"),
}
_HTTP_VERBS = ("get", "post", "put", "patch", "delete", "head", "options", "request", "stream")
for _lib in ("requests", "httpx"):
    for _verb in _HTTP_VERBS:
        _BLOCKING[f"{_lib}.{_verb}"] = (
            f"`{_lib}.{_verb}()` is a synchronous HTTP call that blocks the event loop",
            "`httpx.AsyncClient` or `aiohttp.ClientSession` with `await`",
        )
for _fn in ("Popen", "run", "call", "check_call", "check_output", "getoutput", "getstatusoutput"):
    _BLOCKING[f"subprocess.{_fn}"] = (
        f"`subprocess.{_fn}()` blocks the event loop while the process runs",
        "`await asyncio.create_subprocess_exec(...)`",
    )
for _fn in ("wait", "wait3", "wait4", "waitid", "waitpid", "posix_spawn", "posix_spawnp"):
    _BLOCKING[f"os.{_fn}"] = (
        f"`os.{_fn}()` blocks the event loop",
        "`asyncio.create_subprocess_exec` and `await proc.wait()`",
    )
for _fn in ("spawnl", "spawnle", "spawnlp", "spawnlpe", "spawnv", "spawnve", "spawnvp"):
    _BLOCKING[f"os.{_fn}"] = _BLOCKING["os.system"]

# Constructors of synchronous clients: calls on objects they return block.
_CLIENT_KINDS: dict[str, str] = {
    "requests.Session": "http",
    "requests.session": "http",
    "httpx.Client": "http",
    "urllib3.PoolManager": "http",
    "redis.Redis": "redis",
    "redis.StrictRedis": "redis",
    "redis.from_url": "redis",
    "redis.Redis.from_url": "redis",
    "redis.client.Redis": "redis",
    "sqlite3.connect": "dbapi",
    "psycopg2.connect": "dbapi",
    "psycopg.connect": "dbapi",
    "psycopg.Connection.connect": "dbapi",
    "pymysql.connect": "dbapi",
    "MySQLdb.connect": "dbapi",
    "mysql.connector.connect": "dbapi",
    "pymongo.MongoClient": "mongo",
    "sqlalchemy.create_engine": "engine",
    "sqlalchemy.orm.Session": "session",
    "sqlalchemy.orm.session.Session": "session",
    "sqlmodel.Session": "session",
    "sqlalchemy.orm.sessionmaker": "sessionmaker",
    "sqlalchemy.orm.scoped_session": "session",
}
# Connecting is already blocking I/O for these.
_CONNECTS = {"dbapi", "redis"}
_KIND_METHODS: dict[str, frozenset[str]] = {
    "http": frozenset(_HTTP_VERBS) | {"send", "urlopen"},
    "dbapi": frozenset(
        {"execute", "executemany", "executescript", "commit", "rollback", "fetchone", "fetchall"}
    ),
    "cursor": frozenset(
        {"execute", "executemany", "fetchone", "fetchall", "fetchmany", "callproc"}
    ),
    "engine": frozenset({"connect", "begin", "execute"}),
    "session": frozenset(
        {"execute", "scalars", "scalar", "query", "get", "get_one", "commit", "flush", "refresh"}
        | {"merge", "delete", "rollback"}
    ),
    "mongo": frozenset(
        {"find", "find_one", "insert_one", "insert_many", "update_one", "update_many"}
        | {"delete_one", "delete_many", "aggregate", "count_documents", "replace_one"}
        | {"find_one_and_update", "find_one_and_delete", "bulk_write"}
    ),
}
_REDIS_NON_IO = frozenset({"pipeline", "pubsub", "lock", "close", "register_script"})
_SYNC_SESSION_TYPES = {
    "sqlalchemy.orm.Session",
    "sqlalchemy.orm.session.Session",
    "sqlmodel.Session",
}
# Django/mongoengine QuerySet methods that hit the database synchronously.
_ORM_EVAL = frozenset(
    {"get", "create", "get_or_create", "update_or_create", "bulk_create", "bulk_update"}
    | {"count", "exists", "first", "last", "latest", "earliest", "aggregate", "in_bulk"}
    | {"update", "delete", "iterator", "contains", "explain"}
)
_DJANGO_SHORTCUTS = {"django.shortcuts.get_object_or_404", "django.shortcuts.get_list_or_404"}


@dataclass
class _MethodCall:
    node: cst.Call
    func_id: int
    root: str
    chain: tuple[str, ...]  # attribute names between the root and the method
    method: str


def _orm_chain(expr: cst.BaseExpression) -> bool:
    """`Model.objects...` (a manager chain on a capitalised class name)."""
    current = expr
    while True:
        if isinstance(current, cst.Call):
            current = current.func
        elif isinstance(current, cst.Attribute):
            if current.attr.value == "objects" and isinstance(current.value, cst.Name):
                return current.value.value[:1].isupper()
            current = current.value
        else:
            return False


class BlockingCallInAsync(Rule):
    """A blocking call made directly inside `async def` stalls the event loop.

    ## What it does
    Inside an `async def` (not in a nested sync `def` or `lambda`, which is how work is handed to
    `asyncio.to_thread`, `loop.run_in_executor`, `anyio.to_thread.run_sync`,
    `run_in_threadpool` or `sync_to_async`) it reports calls that block: `time.sleep`, the
    `requests`/`httpx`/`urllib` synchronous HTTP functions and clients, `subprocess` and
    `os.system`/`os.wait*`, `open()` and `input()`, synchronous database drivers (sqlite3,
    psycopg2, psycopg, pymysql, MySQLdb, pymongo), the synchronous redis client, a synchronous
    SQLAlchemy `Session`/engine, and the Django ORM (`Model.objects.get(...)`, iterating a
    queryset, `get_object_or_404`) where the async `a*` methods exist.

    JavaScript/TypeScript: every request of a Node process runs on one thread, so a synchronous
    call blocks all of them wherever it is made in a handler. Reported: the `*Sync` functions
    of `fs` (and fs-extra, graceful-fs), `child_process` (`execSync`, `spawnSync`, ...), `zlib`
    and `crypto` (`pbkdf2Sync`, `scryptSync`, ...), and bcrypt/bcryptjs `hashSync`/`compareSync`,
    resolved through the file's `import`/`require` (destructured and renamed too), when one of
    the functions around the call takes the request (`req`/`request`: Express, Fastify; `ctx`:
    Koa), callbacks inside the handler included. Not reported: the same calls at start-up
    (module level, or in functions that take no request), the promise and callback forms
    (`fs.promises.readFile`, `execFile(cmd, cb)`), and test files.

    ## Why is this bad
    An ASGI server (FastAPI, Starlette, Django ASGI, aiohttp) runs every request of a worker on one
    event loop: a 200 ms blocking call freezes every other request of that worker for 200 ms.
    In Django async views the sync ORM raises `SynchronousOnlyOperation` instead. Flask runs
    async views on a private loop per request, so there it only wastes the view's concurrency.

    ## Example
    ```python
    @app.get("/rates")
    async def rates():
        r = requests.get("https://api.example.com/rates")
        return r.json()
    ```

    ## Use instead
    ```python
    @app.get("/rates")
    async def rates():
        async with httpx.AsyncClient() as client:
            r = await client.get("https://api.example.com/rates")
        return r.json()
    ```
    or declare the endpoint with plain `def` (FastAPI runs it in a thread pool), or offload:
    `await asyncio.to_thread(blocking_fn, arg)` (pass the function, do not call it).

    ## References
    - https://docs.astral.sh/ruff/rules/#flake8-async-async
    - https://fastapi.tiangolo.com/async/
    - https://docs.djangoproject.com/en/5.2/topics/async/
    - https://docs.python.org/3/library/asyncio-dev.html#running-blocking-code
    - https://nodejs.org/en/learn/asynchronous-work/dont-block-the-event-loop
    - https://nodejs.org/api/fs.html#synchronous-api
    """

    code = "BR601"
    name = "blocking-call-in-async"
    item = "async"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    summary = "blocking call inside `async def` stalls the event loop"
    cwe = (1050,)
    external_ids = (
        "ruff:ASYNC210",
        "ruff:ASYNC212",
        "ruff:ASYNC220",
        "ruff:ASYNC221",
        "ruff:ASYNC222",
        "ruff:ASYNC230",
        "ruff:ASYNC240",
        "ruff:ASYNC250",
        "ruff:ASYNC251",
    )

    @classmethod
    def node_findings(cls, file: Parsed, config: Config) -> list[Finding]:
        """The JavaScript/TypeScript side: `*Sync` I/O, process and crypto calls in handlers."""
        if is_node_test_file(file.relpath):
            return []
        return [
            cls.node_finding(
                file,
                call,
                f"`{name}()` runs synchronously in a request handler (`{request}`): it holds "
                "Node's only thread, so every other request waits for it. Use the promise or "
                "callback form (`fs.promises`, `execFile` with a callback, `crypto.pbkdf2`, "
                "`bcrypt.hash`), or do it once at start-up.",
                snippet=node_text(call)[:200],
            )
            for call, name, request in blocking_calls(file)
        ]

    VALID = [
        Valid(
            """
import asyncio, time, requests
from fastapi import FastAPI
app = FastAPI()

@app.get("/slow")
def slow():                      # sync endpoint: FastAPI runs it in a thread pool
    time.sleep(1)
    return requests.get("https://x.test").json()

@app.get("/offload")
async def offload():
    await asyncio.to_thread(time.sleep, 1)            # ok: BR601
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, lambda: requests.get("https://x.test"))  # ok: BR601
    def work():
        return open("data.txt").read()                # ok: BR601
    return await asyncio.to_thread(work)
"""
        ),
        Valid(
            """
import aiofiles, httpx, asyncio
from redis import asyncio as aioredis

cache = aioredis.from_url("redis://localhost")

async def handler(request):
    async with aiofiles.open("f.txt") as f:            # ok: BR601
        data = await f.read()
    async with httpx.AsyncClient() as client:
        r = await client.get("https://x.test")          # ok: BR601
    await cache.get("k")                                # ok: BR601
    await asyncio.sleep(1)
    return data

async def lookup(key):
    requests = {"a": 1}
    return requests.get(key)                            # ok: BR601 (a dict, not the library)
"""
        ),
        Valid(
            """
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy import select
SessionLocal = async_sessionmaker()

async def list_users(db: AsyncSession):
    rows = await db.execute(select(User))               # ok: BR601
    async with SessionLocal() as s:
        await s.commit()                                # ok: BR601
    return rows
"""
        ),
        Valid(
            """
from asgiref.sync import sync_to_async
from .models import Book

async def books(request):
    book = await Book.objects.aget(pk=1)                # ok: BR601
    n = await Book.objects.filter(public=True).acount() # ok: BR601
    titles = [b.title async for b in Book.objects.all()]
    other = await sync_to_async(Book.objects.get)(pk=2)
    return book, n, titles, other
""",
            path="shop/views.py",
        ),
        Valid(
            """
import time

async def test_something():
    time.sleep(0.1)  # tests are not served by the event loop
""",
            path="tests/test_x.py",
        ),
    ]
    INVALID = [
        Invalid(
            """
import time, requests, subprocess
from fastapi import FastAPI
app = FastAPI()

@app.get("/rates")
async def rates():
    time.sleep(1)                                       # expect: BR601
    r = requests.get("https://api.example.com/rates")   # expect: BR601
    subprocess.run(["ls"])                              # expect: BR601
    with open("cache.json") as f:                       # expect: BR601
        f.read()
    return r.json()
"""
        ),
        Invalid(
            """
import asyncio, time
import requests as rq
from urllib.request import urlopen

async def fetch():
    await asyncio.to_thread(time.sleep(1))              # expect: BR601
    urlopen("https://x.test")                           # expect: BR601
    session = rq.Session()
    session.post("https://x.test", json={})             # expect: BR601
"""
        ),
        Invalid(
            """
import sqlite3, redis

cache = redis.Redis(host="localhost")

async def handler(request):
    conn = sqlite3.connect("app.db")                    # expect: BR601
    cur = conn.cursor()
    cur.execute("SELECT 1")                             # expect: BR601
    cache.get("key")                                    # expect: BR601
    pipe = cache.pipeline()
"""
        ),
        Invalid(
            """
from fastapi import Depends, FastAPI
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy import select
app = FastAPI()
SessionLocal = sessionmaker()

@app.get("/users")
async def users(db: Session = Depends(get_db)):
    db.add(User())
    db.commit()                                         # expect: BR601
    with SessionLocal() as s:
        return s.scalars(select(User)).all()            # expect: BR601
"""
        ),
        Invalid(
            """
from django.shortcuts import get_object_or_404
from .models import Book

async def book_detail(request, pk):
    book = Book.objects.get(pk=pk)                      # expect: BR601
    other = get_object_or_404(Book, pk=pk)              # expect: BR601
    for b in Book.objects.filter(author=book.author_id):  # expect: BR601
        pass
    return list(Book.objects.all())                     # expect: BR601
""",
            path="shop/views.py",
        ),
    ]

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self._module_clients: dict[str, str] = {}
        self._local_clients: dict[int, dict[str, str]] = {}
        self._calls: list[_MethodCall] = []
        self._is_flask = False

    # --- collecting what names hold --------------------------------------------------------

    def visit_Module(self, node: cst.Module) -> None:
        names = set(self.ctx.imports.names.values())
        asgi = any(n.split(".")[0] in {"fastapi", "starlette", "aiohttp", "django"} for n in names)
        self._is_flask = not asgi and any(n.split(".")[0] == "flask" for n in names)

    def _kind_of_value(self, value: cst.BaseExpression, func_id: int | None) -> str | None:
        if not isinstance(value, cst.Call):
            return None
        name = self.ctx.call_name(value) or ""
        head = (dotted_name(value.func) or "").split(".")[0]
        kind = _CLIENT_KINDS.get(name) if head in self.ctx.imports.names else None
        if kind == "sessionmaker" or kind == "session":
            for arg in value.args:
                keyword = arg.keyword.value if arg.keyword is not None else ""
                if keyword == "class_" and "Async" in (self.ctx.resolve(arg.value) or ""):
                    return None
            return kind
        if kind is not None:
            return kind
        func = value.func
        if isinstance(func, cst.Name | cst.Attribute):
            root = dotted_name(func) or ""
            held = self._lookup(root, func_id)
            if held == "sessionmaker":
                return "session"
            if held == "dbapi" and isinstance(func, cst.Attribute):
                return None
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
            held = self._lookup(func.value.value, func_id)
            if held == "dbapi" and func.attr.value == "cursor":
                return "cursor"
            if held == "engine" and func.attr.value in {"connect", "begin"}:
                return "dbapi"
        return None

    def _lookup(self, name: str, func_id: int | None) -> str | None:
        if func_id is not None and name in self._local_clients.get(func_id, {}):
            return self._local_clients[func_id][name]
        return self._module_clients.get(name)

    def _bind(self, target: cst.BaseExpression, kind: str | None) -> None:
        if kind is None or not isinstance(target, cst.Name):
            return
        func = self.ctx.enclosing_function()
        if func is None:
            self._module_clients[target.value] = kind
        else:
            self._local_clients.setdefault(id(func), {})[target.value] = kind

    def _func_id(self) -> int | None:
        func = self.ctx.enclosing_function()
        return id(func) if func is not None else None

    def visit_Assign(self, node: cst.Assign) -> None:
        kind = self._kind_of_value(node.value, self._func_id())
        for target in node.targets:
            self._bind(target.target, kind)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._bind(node.target, self._kind_of_value(node.value, self._func_id()))

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._bind(node.asname.name, self._kind_of_value(node.item, self._func_id()))

    def visit_Param(self, node: cst.Param) -> None:
        func = self.ctx.enclosing_function()
        if func is None or func.asynchronous is None or node.annotation is None:
            return
        ann = node.annotation.annotation
        if isinstance(ann, cst.Subscript) and (self.ctx.resolve(ann.value) or "").endswith(
            "Annotated"
        ):
            first = ann.slice[0].slice if ann.slice else None
            ann = first.value if isinstance(first, cst.Index) else ann
        if self.ctx.resolve(ann) in _SYNC_SESSION_TYPES:
            self._local_clients.setdefault(id(func), {})[node.name.value] = "session"

    # --- calls -----------------------------------------------------------------------------

    def _awaited(self) -> bool:
        return isinstance(self.ctx.parent, cst.Await)

    def visit_Call(self, node: cst.Call) -> None:
        if self.ctx.is_test_file or not self.ctx.in_async_function() or self._awaited():
            return
        name = self.ctx.call_name(node) or ""
        if not self._imported(node, name):
            name = ""  # a local object that shares a library's name
        if name in _BLOCKING:
            what, instead = _BLOCKING[name]
            self._flag(node, what, instead)
            return
        kind = _CLIENT_KINDS.get(name)
        if kind in _CONNECTS:
            self._flag(
                node,
                f"`{name}()` opens a synchronous connection on the event loop",
                "the driver's asyncio client (aiosqlite, asyncpg, psycopg.AsyncConnection, "
                "aiomysql, redis.asyncio)",
            )
            return
        if name in _DJANGO_SHORTCUTS:
            short = name.rsplit(".", 1)[1]
            self._flag(
                node,
                f"`{short}()` runs a synchronous Django ORM query in an async view "
                "(it raises SynchronousOnlyOperation)",
                f"`await a{short}(...)`",
                Severity.HIGH,
            )
            return
        func = node.func
        if isinstance(func, cst.Attribute):
            method = func.attr.value
            if method in _ORM_EVAL and _orm_chain(func.value):
                self._flag_orm(node, f"`.objects...{method}()`", f"`await ...a{method}(...)`")
                return
            if method in {"list", "len", "tuple"}:
                return
            root = dotted_name(func.value)
            func_id = self._func_id()
            if root is not None and func_id is not None:
                parts = root.split(".")
                self._calls.append(_MethodCall(node, func_id, parts[0], tuple(parts[1:]), method))
        elif (
            isinstance(func, cst.Name)
            and func.value in {"list", "tuple", "len", "sorted"}
            and node.args
            and _orm_chain(node.args[0].value)
        ):
            self._flag_orm(node, f"`{func.value}()` over a queryset", "`[x async for x in qs]`")

    def visit_For(self, node: cst.For) -> None:
        if (
            node.asynchronous is None
            and not self.ctx.is_test_file
            and self.ctx.in_async_function()
            and _orm_chain(node.iter)
        ):
            self._flag_orm(node.iter, "iterating a queryset with `for`", "`async for`")

    def _imported(self, node: cst.Call, name: str) -> bool:
        """A module function is only the library's when its module is imported here (a local
        `requests = {}` is not the requests library); a builtin only when not shadowed."""
        head = (dotted_name(node.func) or "").split(".")[0]
        if "." not in name:
            return head not in self.ctx.imports.names
        return head in self.ctx.imports.names

    def _flag_orm(self, node: cst.CSTNode, what: str, instead: str) -> None:
        self._flag(
            node,
            f"{what} is a synchronous Django ORM query in `async def`; Django raises "
            "SynchronousOnlyOperation",
            f"{instead} or `sync_to_async`",
            Severity.HIGH,
            Confidence.MEDIUM,
        )

    def _flag(
        self,
        node: cst.CSTNode,
        what: str,
        instead: str,
        severity: Severity | None = None,
        confidence: Confidence | None = None,
    ) -> None:
        if self._is_flask:
            severity = Severity.LOW
        if "to_thread" not in instead and "sync_to_async" not in instead:
            instead += " (or pass the blocking function to `asyncio.to_thread`)"
        self.report(
            node,
            f"{what} inside `async def`: every other request on this event loop waits "
            f"meanwhile. Use {instead}.",
            severity=severity,
            confidence=confidence,
        )

    def finish(self) -> None:
        for call in self._calls:
            kind = self._lookup(call.root, call.func_id)
            if kind is None:
                continue
            if kind == "mongo":
                blocking = call.method in _KIND_METHODS["mongo"]
            elif kind == "redis":
                blocking = not call.chain and call.method not in _REDIS_NON_IO
            else:
                blocking = not call.chain and call.method in _KIND_METHODS.get(kind, frozenset())
            if not blocking:
                continue
            label = {
                "http": "a synchronous HTTP client",
                "redis": "the synchronous redis client",
                "dbapi": "a synchronous database connection",
                "cursor": "a synchronous database cursor",
                "engine": "a synchronous SQLAlchemy engine",
                "session": "a synchronous SQLAlchemy Session",
                "mongo": "the synchronous pymongo client",
            }[kind]
            instead = {
                "http": "`httpx.AsyncClient` / `aiohttp.ClientSession`",
                "redis": "`redis.asyncio.Redis` with `await`",
                "session": "`AsyncSession` with `await session.execute(...)` (or a plain `def` "
                "endpoint)",
                "engine": "`create_async_engine`",
                "mongo": "motor / pymongo's AsyncMongoClient",
            }.get(kind, "an asyncio driver (aiosqlite, asyncpg, aiomysql)")
            self._flag(call.node, f"`.{call.method}()` on {label} blocks", instead)
