"""BR103 path-traversal: request data used as a file system path."""

from __future__ import annotations

from reviewer.checks._taint import TaintRule
from reviewer.checks.base import Invalid, Valid
from reviewer.model import Confidence, Severity


class PathTraversal(TaintRule):
    """Request data reaches `open`, `send_file`, `FileResponse`, `os.remove` or `shutil`.

    ## What it does
    Follows client data to functions that open, send, move or delete files. `secure_filename`,
    `os.path.basename`, an allowlist check or a `realpath`/`commonpath` containment check
    (`if not full.startswith(BASE): abort(...)`) stop the flow. `send_from_directory` is only
    reported when the directory itself comes from the request. A path parameter whose converter
    matches one segment (Flask's `<name>`, `<string:name>`, `<any(...):name>`, FastAPI's
    `{name}`) is not a source here: the router matched it against the decoded path, so it holds
    no `/` (`..` alone names a directory, not a file in it); `<path:name>`, `{name:path}` and
    converters the project defines are. (On a Windows server a segment may still hold `\\`.)

    ## Why is this bad
    `../` sequences and absolute paths let a client read or overwrite any file the service can
    reach: configuration, keys, source code (CWE-22).

    ## Example
    ```python
    name = request.args["file"]
    return send_file(os.path.join(UPLOADS, name))
    ```

    ## Use instead
    ```python
    name = secure_filename(request.args["file"])
    return send_from_directory(UPLOADS, name)
    ```

    ## References
    - https://cwe.mitre.org/data/definitions/22.html
    - https://owasp.org/www-community/attacks/Path_Traversal
    - https://werkzeug.palletsprojects.com/en/stable/routing/#built-in-converters
    - https://www.starlette.io/routing/#path-parameters
    """

    code = "BR103"
    name = "path-traversal"
    item = "injection"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    summary = "Request data is used as a file system path"
    cwe = (22,)
    taint_kinds = {"path": "a file system path"}
    advice = (
        "reduce the name with secure_filename()/os.path.basename() or resolve the path and "
        "check it stays under the base directory"
    )

    INVALID = [
        Invalid(
            """
import os
from flask import Flask, request, send_file

app = Flask(__name__)
UPLOADS = "/srv/uploads"

@app.route("/download")
def download():
    name = request.args["file"]
    path = os.path.join(UPLOADS, name)
    return send_file(path)  # expect: BR103

@app.route("/delete/<path:name>")
def delete(name):
    os.remove(UPLOADS + "/" + name)  # expect: BR103
    return "ok"

@app.route("/remove/<name>")
def remove(name):
    os.remove(UPLOADS + "/" + name)  # ok: BR103 (one segment: holds no "/")
    return "ok"
"""
        ),
        Invalid(
            """
from fastapi import FastAPI
from fastapi.responses import FileResponse

app = FastAPI()

@app.get("/files/{name:path}")
async def get_file(name: str):
    with open(f"/data/{name}") as fh:  # expect: BR103
        fh.read()
    return FileResponse("/data/" + name)  # expect: BR103
"""
        ),
    ]
    VALID = [
        Valid(
            """
import os
from flask import Flask, abort, send_file
from werkzeug.utils import safe_join

app = Flask(__name__)

@app.route("/themes/<theme>/static/<path:path>")
def themes(theme, path):
    for cand_path in (safe_join(app.root_path, "themes", t, "static", path) for t in (theme, "core")):
        if cand_path is None:
            abort(404)
        if os.path.isfile(cand_path):
            return send_file(cand_path)  # ok: BR103 (werkzeug.utils.safe_join)
    abort(404)
"""
        ),
        Valid(
            """
import os
from flask import Flask, request, send_file, send_from_directory
from werkzeug.utils import secure_filename

app = Flask(__name__)
UPLOADS = "/srv/uploads"

@app.route("/download")
def download():
    name = secure_filename(request.args["file"])
    return send_file(os.path.join(UPLOADS, name))  # ok: BR103

@app.route("/raw")
def raw():
    return send_from_directory(UPLOADS, request.args["file"])  # ok: BR103

@app.route("/checked")
def checked():
    full = os.path.realpath(os.path.join(UPLOADS, request.args["file"]))
    if not full.startswith(UPLOADS + os.sep):
        return "no", 400
    return send_file(full)  # ok: BR103
"""
        ),
        Valid(
            """
from fastapi import FastAPI

app = FastAPI()

@app.get("/items/{item_id}")
async def read(item_id: int):
    with open(f"/data/{item_id}.json") as fh:  # ok: BR103
        return fh.read()
"""
        ),
    ]
