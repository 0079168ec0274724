"""What the taint engine knows about libraries: sources, sinks, sanitizers and pass-throughs.

Everything is keyed by qualified names as `ImportTable.resolve` produces them (`flask.request`,
`subprocess.run`), or by method names where the receiver's type is not knowable from syntax.
Sinks are grouped by kind (`SINK_KINDS`); the rules declare which kinds they report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# -- sink kinds ------------------------------------------------------------------------------

# Every kind of sink the specs below define. Each is reported by exactly one rule, which declares
# it in `Rule.taint_kinds` (checked by `reviewer.registry`); the engine knows no rule codes.
SINK_KINDS = frozenset(
    {
        "sql",
        "command",
        "path",
        "deserialization",
        "ssrf",
        "code",
        "xss",
        "template",
        "redirect",
        "ldap",
        "xpath",
        "header",
        "xxe",
        "trust",
        "random",
    }
)

# Environment-controlled sources (os.environ, argv, input) only matter for these kinds.
ENV_KINDS = frozenset({"command", "code", "deserialization", "sql"})

# -- sources -------------------------------------------------------------------------------

# Attributes of Flask's global `flask.request` that carry client data.
FLASK_REQUEST_ATTRS = frozenset(
    {
        "args",
        "form",
        "values",
        "json",
        "get_json",
        "data",
        "get_data",
        "files",
        "cookies",
        "headers",
        "view_args",
        "stream",
        "query_string",
        "full_path",
        "url",
        "referrer",
    }
)

# Attributes of a handler's `request` parameter (Django, DRF, Starlette/FastAPI, aiohttp).
REQUEST_PARAM_ATTRS = frozenset(
    {
        "GET",
        "POST",
        "data",
        "body",
        "headers",
        "COOKIES",
        "META",
        "FILES",
        "query_params",
        "path_params",
        "cookies",
        "match_info",
        "query",
        "post",
        "json",
        "text",
        "read",
        "form",
        "multipart",
        "content",
        "rel_url",
        "args",
        "values",
        "get_json",
        "get_data",
        "url",
    }
)

REQUEST_PARAM_NAMES = frozenset({"request", "req"})
REQUEST_ANNOTATIONS = re.compile(r"(^|\.)(Http)?Request$|^web\.Request$|WSGIRequest$")

ENV_SOURCES = {
    "os.environ": "os.environ",
    "os.getenv": "os.getenv()",
    "os.environ.get": "os.environ.get()",
    "sys.argv": "sys.argv",
    "input": "input()",
}

# Route decorators: method names on an app/router/blueprint object.
ROUTE_DECORATORS = frozenset(
    {"route", "get", "post", "put", "patch", "delete", "api_route", "websocket", "head", "options"}
)
# Annotations whose value cannot hold text: FastAPI/pydantic convert and validate the value before
# the handler runs, so it cannot carry a quote, a path separator or markup. Compared by last name
# (`uuid.UUID` -> `UUID`). BR101 reads this too (one home for the knowledge).
# https://fastapi.tiangolo.com/tutorial/extra-data-types/, https://docs.pydantic.dev/latest/api/types/
NON_TEXT_TYPES = frozenset(
    {
        "int",
        "float",
        "bool",
        "UUID",
        "date",
        "datetime",
        "time",
        "Decimal",
        "PositiveInt",
        "NonNegativeInt",
        "StrictInt",
        "StrictBool",
    }
)
# Handler parameters that are not client text: the non-text types, objects the framework injects
# (request, response, session, security credentials) and validated formats.
SAFE_PARAM_TYPES = NON_TEXT_TYPES | frozenset(
    {
        "uuid.UUID",
        "datetime.date",
        "datetime.datetime",
        "Request",
        "Response",
        "WebSocket",
        "BackgroundTasks",
        "Session",
        "AsyncSession",
        "HttpRequest",
        "SecurityScopes",
        "HTTPAuthorizationCredentials",
        "HTTPBasicCredentials",
        "conint",
        "Literal",
        "EmailStr",
        "HttpUrl",
    }
)
SAFE_CONVERTERS = frozenset({"int", "float", "uuid"})
# A FastAPI parameter typed with an Enum is validated to one of its members before the handler
# runs (422 otherwise): an allowlist the framework enforces.
# https://fastapi.tiangolo.com/tutorial/path-params/#predefined-values
ENUM_CLASSES = frozenset({"enum.Enum", "enum.StrEnum", "enum.IntEnum", "enum.Flag", "enum.IntFlag"})
# Converters whose value is one path segment: the server has percent-decoded the path before the
# router matches it, and these match no "/" (Werkzeug's default/`string`/`any`, Starlette's
# default/`str`), so the value cannot walk out of a directory (`..` alone names the parent
# directory itself, not a file in it). `path` matches "/" and is not here, nor is a converter the
# project defines. https://werkzeug.palletsprojects.com/en/stable/routing/#built-in-converters,
# https://www.starlette.io/routing/#path-parameters
SEGMENT_CONVERTERS = frozenset({"", "string", "any", "str", *SAFE_CONVERTERS})
# Litestar route handler decorators (`from litestar import get`), and what a handler parameter
# must look like to carry client data: the body `data`, the raw `body`/`headers`/`cookies`/
# `query`, or a path/query parameter, which is simple-typed (Litestar injects a dependency by its
# name, typed with its class). https://docs.litestar.dev/2/usage/routing/parameters.html,
# https://docs.litestar.dev/2/usage/requests.html
LITESTAR_HANDLERS = frozenset(
    {"get", "post", "put", "patch", "delete", "head", "route", "websocket", "websocket_listener"}
)
LITESTAR_CLIENT_PARAMS = frozenset({"data", "body", "headers", "cookies", "query"})
LITESTAR_INJECTED = frozenset({"request", "socket", "state", "scope", "self", "cls"})
LITESTAR_TEXT_TYPES = frozenset(
    {"", "str", "Any", "list", "List", "Sequence", "dict", "Dict", "Mapping", "bytes"}
)
DEPENDENCY_CALLS = frozenset({"Depends", "Security", "fastapi.Depends", "fastapi.Security"})

# -- propagation ---------------------------------------------------------------------------

# Calls whose result carries their arguments' taint exactly (high confidence).
PASSTHROUGH_CALLS = frozenset(
    {
        "str",
        "bytes",
        "bytearray",
        "repr",
        "format",
        "list",
        "tuple",
        "set",
        "frozenset",
        "dict",
        "sorted",
        "reversed",
        "iter",
        "next",
        "min",
        "max",
        "urllib.parse.unquote",
        "urllib.parse.unquote_plus",
        "urllib.parse.unquote_to_bytes",
        "urllib.parse.urljoin",
        "json.loads",
        "json.load",
        "base64.b64decode",
        "base64.urlsafe_b64decode",
        "base64.b64encode",
        "binascii.unhexlify",
        "codecs.decode",
        "os.path.join",
        "os.path.abspath",
        "os.path.normpath",
        "os.path.expanduser",
        "posixpath.join",
        "pathlib.Path",
        "pathlib.PurePath",
        "pathlib.PosixPath",
        "Path",
        "copy.copy",
        "copy.deepcopy",
        "textwrap.dedent",
        "shlex.split",
        "typing.cast",
    }
)
# Methods that return (part of) their receiver's content: "abc".strip() etc., dict.get.
PASSTHROUGH_METHODS = frozenset(
    {
        "strip",
        "lstrip",
        "rstrip",
        "lower",
        "upper",
        "casefold",
        "title",
        "capitalize",
        "swapcase",
        "replace",
        "split",
        "rsplit",
        "splitlines",
        "partition",
        "rpartition",
        "encode",
        "decode",
        "get",
        "getlist",
        "pop",
        "popitem",
        "values",
        "items",
        "keys",
        "copy",
        "format",
        "format_map",
        "join",
        "read",
        "readline",
        "readlines",
        "get_json",
        "get_data",
        "json",
        "text",
        "post",
        "form",
        "body",
        "dict",
        "to_dict",
        "model_dump",
        "ljust",
        "rjust",
        "center",
        "zfill",
        "expandtabs",
        "removeprefix",
        "removesuffix",
        "joinpath",
        "resolve",
        "absolute",
        "with_name",
        "with_suffix",
        "as_posix",
        "geturl",
        "first",
        "last",
    }
)
# Calls that return a value unrelated to the argument's text: taint stops here for every sink.
KILLER_CALLS = frozenset(
    {
        "int",
        "float",
        "bool",
        "complex",
        "len",
        "hash",
        "id",
        "type",
        "isinstance",
        "issubclass",
        "callable",
        "hasattr",
        "uuid.UUID",
        "decimal.Decimal",
        "datetime.date.fromisoformat",
        "datetime.datetime.fromisoformat",
        "datetime.datetime.strptime",
        "ord",
        "abs",
        "round",
        "range",
        "enumerate",
        "print",
        "hashlib.sha256",
        "hashlib.md5",
        "hashlib.sha1",
        "hmac.new",
        "hmac.compare_digest",
        "secrets.compare_digest",
        "flask.jsonify",
        "flask.url_for",
        "url_for",
        "django.urls.reverse",
        "django.urls.reverse_lazy",
        "flask.render_template",
        "django.shortcuts.render",
        "jsonify",
        "json.dumps",
        "logging.info",
        "logging.debug",
        "logging.warning",
        "logging.error",
        "get_object_or_404",
        "django.shortcuts.get_object_or_404",
        "fastapi.HTTPException",
        "flask.abort",
        "abort",
    }
)
# Methods on an untainted receiver whose result does not carry a tainted argument (lookups,
# persistence, logging): `User.objects.filter(name=q)` returns rows, not `q`.
KILLER_METHODS = frozenset(
    {
        "filter",
        "filter_by",
        "exclude",
        "where",
        "query",
        "get_or_create",
        "exists",
        "count",
        "all",
        "one",
        "one_or_none",
        "scalar",
        "scalars",
        "fetchone",
        "fetchall",
        "add",
        "commit",
        "save",
        "delete",
        "debug",
        "info",
        "warning",
        "error",
        "exception",
        "critical",
        "log",
        "startswith",
        "endswith",
        "isdigit",
        "isalnum",
        "isalpha",
        "isnumeric",
        "isdecimal",
        "isidentifier",
        "index",
        "find",
        "rfind",
        "is_valid",
        "validate",
        "hexdigest",
        "digest",
        "execute",
        "executemany",
        "send",
        "put",
        "append",
        "extend",
        "update",
        "setdefault",
        "set",
        "incr",
        "expire",
        "emit",
        "apply_async",
        "url_for",
        "url_path_for",
        "delay",
    }
)

# -- sanitizers ----------------------------------------------------------------------------

# Call -> sink kinds its result is safe for.
SANITIZERS: dict[str, frozenset[str]] = {
    "shlex.quote": frozenset({"command"}),
    "pipes.quote": frozenset({"command"}),
    "markupsafe.escape": frozenset({"xss", "template"}),
    "flask.escape": frozenset({"xss", "template"}),
    "html.escape": frozenset({"xss", "template", "header"}),
    "cgi.escape": frozenset({"xss", "template"}),
    "django.utils.html.escape": frozenset({"xss", "template"}),
    "django.utils.html.strip_tags": frozenset({"xss"}),
    "bleach.clean": frozenset({"xss", "template"}),
    "jinja2.escape": frozenset({"xss", "template"}),
    "werkzeug.utils.secure_filename": frozenset({"path"}),
    "werkzeug.secure_filename": frozenset({"path"}),
    "os.path.basename": frozenset({"path"}),
    "posixpath.basename": frozenset({"path"}),
    "django.utils.text.get_valid_filename": frozenset({"path"}),
    "werkzeug.security.safe_join": frozenset({"path"}),
    # Werkzeug >= 2.0's home of safe_join: None for a path that leaves the base directory
    # (https://werkzeug.palletsprojects.com/en/stable/utils/#werkzeug.utils.safe_join)
    "werkzeug.utils.safe_join": frozenset({"path"}),
    "flask.safe_join": frozenset({"path"}),
    "django.utils._os.safe_join": frozenset({"path"}),
    "ldap.filter.escape_filter_chars": frozenset({"ldap"}),
    "ldap3.utils.conv.escape_filter_chars": frozenset({"ldap"}),
    "ldap.dn.escape_dn_chars": frozenset({"ldap"}),
    "urllib.parse.quote": frozenset({"header", "redirect", "command", "xss", "ldap", "xpath"}),
    "urllib.parse.quote_plus": frozenset({"header", "redirect", "command", "xss", "ldap", "xpath"}),
    "urllib.parse.urlencode": frozenset({"header", "redirect", "xss"}),
    "re.escape": frozenset({"xpath"}),
    "ast.literal_eval": frozenset({"code", "deserialization"}),
    # an in-memory file object holding the bytes: what is opened is no file system path
    # (https://docs.python.org/3/library/io.html#io.BytesIO)
    "io.BytesIO": frozenset({"path"}),
    "io.StringIO": frozenset({"path"}),
}
# Guard calls: `if not f(x, ...): return` makes x safe for these kinds.
GUARD_CALLS: dict[str, frozenset[str]] = {
    "django.utils.http.url_has_allowed_host_and_scheme": frozenset({"redirect", "ssrf"}),
    "django.utils.http.is_safe_url": frozenset({"redirect", "ssrf"}),
    # the `is_safe_url` package (PyPI), a port of Django's; a project's own helper of that name
    # is a guard only by what it does (see interpreter.refine and the guard summaries)
    "is_safe_url.is_safe_url": frozenset({"redirect", "ssrf"}),
    "re.match": frozenset({"*"}),
    "re.fullmatch": frozenset({"*"}),
    "os.path.isfile": frozenset(),
}
GUARD_METHODS: dict[str, frozenset[str]] = {
    "isdigit": frozenset({"*"}),
    "isnumeric": frozenset({"*"}),
    "isdecimal": frozenset({"*"}),
    "isalnum": frozenset({"*"}),
    "isalpha": frozenset({"*"}),
    "isidentifier": frozenset({"*"}),
    "fullmatch": frozenset({"*"}),
    "match": frozenset({"*"}),
    "startswith": frozenset({"path", "redirect", "ssrf"}),
    "is_relative_to": frozenset({"path"}),
    "is_valid": frozenset({"*"}),
}
# Validators: the value returned is validated data (Pydantic, marshmallow, DRF).
VALIDATED_ATTRS = frozenset({"validated_data", "cleaned_data"})
VALIDATOR_METHODS = frozenset({"model_validate", "model_validate_json", "parse_obj", "load"})

ALL_KINDS = SINK_KINDS  # what a sanitizer of every kind (`*`) clears


# -- sinks ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sink:
    """A call whose listed arguments must not carry tainted data."""

    kind: str
    label: str  # how the finding names the sink, e.g. "os.system()"
    positions: tuple[int, ...] = (0,)
    keywords: tuple[str, ...] = ()
    cwe: int = 0


def _s(kind: str, label: str, *pos: int, kw: tuple[str, ...] = (), cwe: int = 0) -> Sink:
    return Sink(kind, label, pos or (0,), kw, cwe)


# Qualified function name -> sink.
FUNCTION_SINKS: dict[str, Sink] = {
    # command
    "os.system": _s("command", "os.system()", kw=("command",)),
    "os.popen": _s("command", "os.popen()", kw=("cmd",)),
    "os.popen2": _s("command", "os.popen2()"),
    "os.popen3": _s("command", "os.popen3()"),
    "os.popen4": _s("command", "os.popen4()"),
    "commands.getoutput": _s("command", "commands.getoutput()"),
    "commands.getstatusoutput": _s("command", "commands.getstatusoutput()"),
    "subprocess.getoutput": _s("command", "subprocess.getoutput()", kw=("cmd",)),
    "subprocess.getstatusoutput": _s("command", "subprocess.getstatusoutput()", kw=("cmd",)),
    "asyncio.create_subprocess_shell": _s("command", "asyncio.create_subprocess_shell()"),
    "os.execl": _s("command", "os.execl()", 0, 1),
    "os.execlp": _s("command", "os.execlp()", 0, 1),
    "os.execv": _s("command", "os.execv()", 0, 1),
    "os.execvp": _s("command", "os.execvp()", 0, 1),
    "os.execve": _s("command", "os.execve()", 0, 1),
    "os.spawnl": _s("command", "os.spawnl()", 1, 2),
    "os.spawnv": _s("command", "os.spawnv()", 1, 2),
    "os.spawnlp": _s("command", "os.spawnlp()", 1, 2),
    "os.spawnvp": _s("command", "os.spawnvp()", 1, 2),
    "os.startfile": _s("command", "os.startfile()"),
    "pty.spawn": _s("command", "pty.spawn()"),
    # path traversal
    "open": _s("path", "open()", kw=("file",)),
    "io.open": _s("path", "io.open()", kw=("file",)),
    "codecs.open": _s("path", "codecs.open()", kw=("filename",)),
    "os.remove": _s("path", "os.remove()", kw=("path",)),
    "os.unlink": _s("path", "os.unlink()", kw=("path",)),
    "os.rmdir": _s("path", "os.rmdir()"),
    "os.removedirs": _s("path", "os.removedirs()"),
    "os.mkdir": _s("path", "os.mkdir()"),
    "os.makedirs": _s("path", "os.makedirs()"),
    "os.rename": _s("path", "os.rename()", 0, 1),
    "os.replace": _s("path", "os.replace()", 0, 1),
    "os.listdir": _s("path", "os.listdir()"),
    "os.chmod": _s("path", "os.chmod()"),
    "os.open": _s("path", "os.open()"),
    "shutil.rmtree": _s("path", "shutil.rmtree()"),
    "shutil.copy": _s("path", "shutil.copy()", 0, 1),
    "shutil.copy2": _s("path", "shutil.copy2()", 0, 1),
    "shutil.copyfile": _s("path", "shutil.copyfile()", 0, 1),
    "shutil.copytree": _s("path", "shutil.copytree()", 0, 1),
    "shutil.move": _s("path", "shutil.move()", 0, 1),
    "flask.send_file": _s("path", "send_file()", kw=("path_or_file", "filename_or_fp")),
    "flask.helpers.send_file": _s("path", "send_file()", kw=("path_or_file",)),
    "flask.send_from_directory": _s("path", "send_from_directory() directory", kw=("directory",)),
    "starlette.responses.FileResponse": _s("path", "FileResponse()", kw=("path",)),
    "fastapi.responses.FileResponse": _s("path", "FileResponse()", kw=("path",)),
    "django.http.FileResponse": _s("path", "FileResponse()"),
    "aiohttp.web.FileResponse": _s("path", "web.FileResponse()", kw=("path",)),
    "tarfile.open": _s("path", "tarfile.open()", kw=("name",)),
    "zipfile.ZipFile": _s("path", "zipfile.ZipFile()", kw=("file",)),
    # deserialization
    "pickle.loads": _s("deserialization", "pickle.loads()"),
    "pickle.load": _s("deserialization", "pickle.load()"),
    "pickle.Unpickler": _s("deserialization", "pickle.Unpickler()"),
    "_pickle.loads": _s("deserialization", "pickle.loads()"),
    "cPickle.loads": _s("deserialization", "cPickle.loads()"),
    "dill.loads": _s("deserialization", "dill.loads()"),
    "dill.load": _s("deserialization", "dill.load()"),
    "cloudpickle.loads": _s("deserialization", "cloudpickle.loads()"),
    "marshal.loads": _s("deserialization", "marshal.loads()"),
    "marshal.load": _s("deserialization", "marshal.load()"),
    "shelve.open": _s("deserialization", "shelve.open()"),
    "jsonpickle.decode": _s("deserialization", "jsonpickle.decode()"),
    "jsonpickle.loads": _s("deserialization", "jsonpickle.loads()"),
    "yaml.unsafe_load": _s("deserialization", "yaml.unsafe_load()"),
    "yaml.unsafe_load_all": _s("deserialization", "yaml.unsafe_load_all()"),
    "pandas.read_pickle": _s("deserialization", "pandas.read_pickle()"),
    "numpy.load": _s("deserialization", "numpy.load(allow_pickle=True)"),
    "torch.load": _s("deserialization", "torch.load()"),
    "joblib.load": _s("deserialization", "joblib.load()"),
    # yaml.load / load_all: checked for the Loader in the engine.
    # ssrf
    "requests.get": _s("ssrf", "requests.get()", kw=("url",)),
    "requests.post": _s("ssrf", "requests.post()", kw=("url",)),
    "requests.put": _s("ssrf", "requests.put()", kw=("url",)),
    "requests.patch": _s("ssrf", "requests.patch()", kw=("url",)),
    "requests.delete": _s("ssrf", "requests.delete()", kw=("url",)),
    "requests.head": _s("ssrf", "requests.head()", kw=("url",)),
    "requests.options": _s("ssrf", "requests.options()", kw=("url",)),
    "requests.request": _s("ssrf", "requests.request()", 1, kw=("url",)),
    "httpx.get": _s("ssrf", "httpx.get()", kw=("url",)),
    "httpx.post": _s("ssrf", "httpx.post()", kw=("url",)),
    "httpx.put": _s("ssrf", "httpx.put()", kw=("url",)),
    "httpx.patch": _s("ssrf", "httpx.patch()", kw=("url",)),
    "httpx.delete": _s("ssrf", "httpx.delete()", kw=("url",)),
    "httpx.head": _s("ssrf", "httpx.head()", kw=("url",)),
    "httpx.stream": _s("ssrf", "httpx.stream()", 1, kw=("url",)),
    "httpx.request": _s("ssrf", "httpx.request()", 1, kw=("url",)),
    "urllib.request.urlopen": _s("ssrf", "urllib.request.urlopen()", kw=("url",)),
    "urllib.request.Request": _s("ssrf", "urllib.request.Request()", kw=("url",)),
    "urllib.request.urlretrieve": _s("ssrf", "urllib.request.urlretrieve()", kw=("url",)),
    "urllib2.urlopen": _s("ssrf", "urllib2.urlopen()"),
    "urllib.urlopen": _s("ssrf", "urllib.urlopen()"),
    "http.client.HTTPConnection": _s("ssrf", "http.client.HTTPConnection()", kw=("host",)),
    "http.client.HTTPSConnection": _s("ssrf", "http.client.HTTPSConnection()", kw=("host",)),
    "socket.create_connection": _s("ssrf", "socket.create_connection()"),
    # code
    "eval": _s("code", "eval()", cwe=95),
    "exec": _s("code", "exec()", cwe=95),
    "compile": _s("code", "compile()"),
    "builtins.eval": _s("code", "eval()", cwe=95),
    "builtins.exec": _s("code", "exec()", cwe=95),
    "importlib.import_module": _s("code", "importlib.import_module()"),
    "__import__": _s("code", "__import__()"),
    # templates and XSS
    "flask.render_template_string": _s(
        "template", "render_template_string()", kw=("source",), cwe=1336
    ),
    "jinja2.Template": _s("template", "jinja2.Template()", kw=("source",), cwe=1336),
    "mako.template.Template": _s("template", "mako Template()", kw=("text",), cwe=1336),
    "django.template.Template": _s("template", "django Template()", cwe=1336),
    "markupsafe.Markup": _s("xss", "Markup()", cwe=79),
    "flask.Markup": _s("xss", "Markup()", cwe=79),
    "jinja2.Markup": _s("xss", "Markup()", cwe=79),
    "django.utils.safestring.mark_safe": _s("xss", "mark_safe()", cwe=79),
    "django.utils.html.format_html": _s("xss", "format_html() format string", cwe=79),
    "flask.make_response": _s("xss", "make_response()", cwe=79),
    "django.http.HttpResponse": _s("xss", "HttpResponse()", kw=("content",), cwe=79),
    "django.http.response.HttpResponse": _s("xss", "HttpResponse()", kw=("content",), cwe=79),
    "fastapi.responses.HTMLResponse": _s("xss", "HTMLResponse()", kw=("content",), cwe=79),
    "starlette.responses.HTMLResponse": _s("xss", "HTMLResponse()", kw=("content",), cwe=79),
    "flask.Response": _s("xss", "Response()", kw=("response",), cwe=79),
    "werkzeug.wrappers.Response": _s("xss", "Response()", kw=("response",), cwe=79),
    "starlette.responses.Response": _s(
        "xss", "Response() with an HTML media type", kw=("content",), cwe=79
    ),
    "fastapi.Response": _s("xss", "Response() with an HTML media type", kw=("content",), cwe=79),
    "fastapi.responses.Response": _s(
        "xss", "Response() with an HTML media type", kw=("content",), cwe=79
    ),
    "aiohttp.web.Response": _s(
        "xss", "web.Response() with an HTML content type", kw=("text", "body"), cwe=79
    ),
    # open redirect
    "flask.redirect": _s("redirect", "redirect()", kw=("location",)),
    "werkzeug.utils.redirect": _s("redirect", "redirect()", kw=("location",)),
    "django.shortcuts.redirect": _s("redirect", "redirect()", kw=("to",)),
    "django.http.HttpResponseRedirect": _s(
        "redirect", "HttpResponseRedirect()", kw=("redirect_to",)
    ),
    "django.http.HttpResponsePermanentRedirect": _s(
        "redirect", "HttpResponsePermanentRedirect()", kw=("redirect_to",)
    ),
    "fastapi.responses.RedirectResponse": _s("redirect", "RedirectResponse()", kw=("url",)),
    "starlette.responses.RedirectResponse": _s("redirect", "RedirectResponse()", kw=("url",)),
    "aiohttp.web.HTTPFound": _s("redirect", "web.HTTPFound()", kw=("location",)),
    "aiohttp.web.HTTPSeeOther": _s("redirect", "web.HTTPSeeOther()", kw=("location",)),
    "aiohttp.web.HTTPMovedPermanently": _s(
        "redirect", "web.HTTPMovedPermanently()", kw=("location",)
    ),
    "aiohttp.web.HTTPTemporaryRedirect": _s(
        "redirect", "web.HTTPTemporaryRedirect()", kw=("location",)
    ),
    # xpath / ldap
    "lxml.etree.XPath": _s("xpath", "etree.XPath()", kw=("path",), cwe=643),
    "lxml.etree.ETXPath": _s("xpath", "etree.ETXPath()", cwe=643),
    # xxe: lxml parsers, checked for a safe parser in the engine
    "lxml.etree.fromstring": _s("xxe", "lxml.etree.fromstring()", kw=("text",)),
    "lxml.etree.XML": _s("xxe", "lxml.etree.XML()", kw=("text",)),
    "lxml.etree.parse": _s("xxe", "lxml.etree.parse()", kw=("source",)),
    "lxml.etree.iterparse": _s("xxe", "lxml.etree.iterparse()", kw=("source",)),
    "lxml.etree.XMLID": _s("xxe", "lxml.etree.XMLID()", kw=("text",)),
}

# Aliases of the same functions under their re-exporting modules.
for _alias, _target in {
    "werkzeug.redirect": "flask.redirect",
    "flask.helpers.redirect": "flask.redirect",
    "flask.helpers.make_response": "flask.make_response",
    "flask.templating.render_template_string": "flask.render_template_string",
    "django.http.response.HttpResponseRedirect": "django.http.HttpResponseRedirect",
    "fastapi.responses.FileResponse": "starlette.responses.FileResponse",
    "fastapi.FileResponse": "starlette.responses.FileResponse",
    "aiohttp.web.HTTPPermanentRedirect": "aiohttp.web.HTTPFound",
}.items():
    FUNCTION_SINKS.setdefault(_alias, FUNCTION_SINKS[_target])

SUBPROCESS_CALLS = frozenset(
    {
        "subprocess.run",
        "subprocess.call",
        "subprocess.check_call",
        "subprocess.check_output",
        "subprocess.Popen",
        "asyncio.create_subprocess_exec",
    }
)

# -- SQL sinks: the one home. BR101 (`checks/injection/_sql.find_sql_sink`) recognises all of
# them; the interpreter follows flows into the subset below, and BR101 keeps a flow only where it
# recognises the sink too. PEP 249 `execute`/`executemany`; sqlite3 `executescript`; asyncpg
# `fetch`/`fetchrow`/`fetchval`/`prepare`; databases `fetch_all`/`fetch_one`/`fetch_val`; peewee
# `execute_sql`; SQLAlchemy `text()`/`exec_driver_sql`; Django `raw()`/`extra()`/`RawSQL`;
# psycopg `sql.SQL()`; pandas `read_sql`.
# Methods whose first argument is SQL whatever the receiver (names specific to DB drivers).
SQL_DRIVER_METHODS = frozenset(
    {"executescript", "exec_driver_sql", "fetchrow", "fetchval", "executemany", "execute_sql"}
)
# Methods that take SQL when the receiver is a database object.
SQL_DB_METHODS = frozenset(
    {"execute", "fetch", "raw", "fetch_all", "fetch_one", "fetch_val", "prepare"}
)
SQL_KEYWORDS = ("query", "sql", "statement", "operation", "raw_query")  # the SQL argument's name
SQL_TEXT_FUNCTIONS = frozenset(
    {"sqlalchemy.text", "sqlalchemy.sql.text", "sqlalchemy.sql.expression.text"}
)
SQL_COMPOSE_FUNCTIONS = frozenset({"psycopg.sql.SQL", "psycopg2.sql.SQL"})
SQL_RAW_CLASSES = ("django.db.models.RawSQL", "django.db.models.expressions.RawSQL")
SQL_DATAFRAME_READERS = frozenset({"pandas.read_sql", "pandas.read_sql_query"})
SQL_EXTRA_KEYWORDS = ("where", "select", "tables")  # QuerySet.extra()'s raw SQL fragments
# The interpreter's subset: a call it treats as a sink returns a clean value, so a wider set
# would cut other flows (`fetch()` is an HTTP client's method too). `raw`, `extra` and
# `executescript` are in METHOD_SINKS.
SQL_METHODS = frozenset({"execute", "executemany", "exec_driver_sql"})
SQL_FUNCTIONS = frozenset({"sqlalchemy.text", "sqlalchemy.sql.text", SQL_RAW_CLASSES[1]})
SQL_FUNCTIONS_ALIASES = frozenset({SQL_RAW_CLASSES[0]})

# Method names specific enough to be sinks whatever the receiver.
METHOD_SINKS: dict[str, Sink] = {
    "search_s": _s("ldap", "LDAP search_s() filter", 0, 2, kw=("base", "filterstr"), cwe=90),
    "search_st": _s("ldap", "LDAP search_st() filter", 0, 2, kw=("base", "filterstr"), cwe=90),
    "search_ext_s": _s("ldap", "LDAP search_ext_s() filter", 0, 2, kw=("filterstr",), cwe=90),
    "search_ext": _s("ldap", "LDAP search_ext() filter", 0, 2, kw=("filterstr",), cwe=90),
    "xpath": _s("xpath", "xpath() expression", kw=("_path",), cwe=643),
    "from_string": _s("template", "Environment.from_string()", kw=("source",), cwe=1336),
    "raw": _s("sql", ".raw() query"),
    "extra": _s("sql", ".extra()", kw=SQL_EXTRA_KEYWORDS),
    "executescript": _s("sql", ".executescript()"),
}
# Methods that are sinks only on receivers built by these constructors.
TYPED_METHOD_SINKS: dict[str, dict[str, Sink]] = {
    "ldap3.Connection": {
        "search": _s("ldap", "ldap3 Connection.search()", 0, 1, kw=("search_base", "search_filter"))
    },
}
for _cls in ("requests.Session", "requests.session", "httpx.Client", "httpx.AsyncClient"):
    TYPED_METHOD_SINKS[_cls] = {
        m: _s("ssrf", f"{_cls.split('.')[0]} session.{m}()", kw=("url",))
        for m in ("get", "post", "put", "patch", "delete", "head", "options", "stream")
    }
    TYPED_METHOD_SINKS[_cls]["request"] = _s("ssrf", "session.request()", 1, kw=("url",))
TYPED_METHOD_SINKS["aiohttp.ClientSession"] = {
    m: _s("ssrf", f"aiohttp ClientSession.{m}()", kw=("url", "str_or_url"))
    for m in ("get", "post", "put", "patch", "delete", "head", "options", "ws_connect")
}
TYPED_METHOD_SINKS["aiohttp.ClientSession"]["request"] = _s(
    "ssrf", "aiohttp ClientSession.request()", 1, kw=("url", "str_or_url")
)
TYPED_METHOD_SINKS["xml.sax.make_parser"] = {"parse": _s("xxe", "SAX parser.parse()")}
TYPED_METHOD_SINKS["lxml.etree.XMLParser"] = {"feed": _s("xxe", "lxml XMLParser.feed()")}

# Response constructors that send text/html only when told so; the others default to HTML.
HTML_ONLY_WHEN_DECLARED = frozenset(
    {
        "starlette.responses.Response",
        "fastapi.Response",
        "fastapi.responses.Response",
        "aiohttp.web.Response",
    }
)
CONTENT_TYPE_KEYWORDS = ("content_type", "mimetype", "media_type")


# Response objects (for header-injection) and session objects (trust boundary).
RESPONSE_CONSTRUCTORS = frozenset(
    {
        "flask.make_response",
        "flask.Response",
        "werkzeug.wrappers.Response",
        "django.http.HttpResponse",
        "django.http.JsonResponse",
        "django.http.response.HttpResponse",
        "starlette.responses.Response",
        "fastapi.Response",
        "fastapi.responses.Response",
        "fastapi.responses.JSONResponse",
        "aiohttp.web.Response",
        "aiohttp.web.json_response",
        "rest_framework.response.Response",
    }
)
SESSION_OBJECTS = frozenset({"flask.session"})
# Frameworks whose responses refuse a header value holding CR or LF (Werkzeug's `Headers`
# raises ValueError, Django's BadHeaderError, aiohttp's writer "Potential header injection
# attack"): response splitting cannot happen through their headers. Starlette's do not check.
CRLF_REJECTING = ("flask", "werkzeug", "django", "rest_framework", "aiohttp")
CRLF_ACCEPTING = ("starlette", "fastapi")

# -- weak randomness -----------------------------------------------------------------------

RANDOM_CALLS = frozenset(
    {
        "random.random",
        "random.randint",
        "random.randrange",
        "random.choice",
        "random.choices",
        "random.sample",
        "random.getrandbits",
        "random.uniform",
        "random.randbytes",
        "random.shuffle",
        "numpy.random.randint",
        "numpy.random.rand",
        "numpy.random.choice",
        "uuid.uuid1",
    }
)
SECURITY_NAME = re.compile(
    r"token|passw|pwd|secret|nonce|salt|otp|csrf|xsrf|api_?key|apikey|session_?(id|key)|"
    r"(^|_)sid($|_)|reset|verif|activation|auth_?code|one_?time|(^|_)pin($|_)|"
    r"(^|_)(key|code)$|invite|magic_?link|signature",
    re.IGNORECASE,
)
