"""BR104 unsafe-deserialization: client data given to pickle, marshal, unsafe YAML loaders."""

from __future__ import annotations

from reviewer.checks._taint import TaintRule
from reviewer.checks.base import Invalid, Valid
from reviewer.model import Confidence, Severity


class UnsafeDeserialization(TaintRule):
    """Request data reaches `pickle`, `marshal`, `shelve`, `jsonpickle` or `yaml.load`.

    ## What it does
    Follows client data (and, at low confidence, environment data) to deserializers that can
    build arbitrary objects: `pickle.loads`, `dill`, `marshal`, `shelve.open`, `jsonpickle.decode`,
    `yaml.load` without `SafeLoader`, `yaml.unsafe_load`, `numpy.load(allow_pickle=True)`.

    ## Why is this bad
    Unpickling runs code chosen by whoever wrote the bytes (`__reduce__`); YAML's full loaders
    construct arbitrary Python objects. Client-controlled input means remote code execution
    (CWE-502).

    ## Example
    ```python
    data = pickle.loads(base64.b64decode(request.cookies["state"]))
    ```

    ## Use instead
    ```python
    data = json.loads(request.cookies["state"])
    ```

    ## References
    - https://cwe.mitre.org/data/definitions/502.html
    - https://docs.python.org/3/library/pickle.html
    """

    code = "BR104"
    name = "unsafe-deserialization"
    item = "injection"
    severity = Severity.CRITICAL
    confidence = Confidence.HIGH
    summary = "Client data is deserialized with an object-building deserializer"
    cwe = (502,)
    taint_kinds = {"deserialization": "a deserializer"}
    advice = "never unpickle or YAML-load client data; use json or yaml.safe_load"
    external_ids = ("bandit:B506", "ruff:S506")  # B301/B302 flag every pickle/marshal use

    INVALID = [
        Invalid(
            """
import base64, pickle, yaml
from flask import Flask, request

app = Flask(__name__)

@app.route("/state")
def state():
    raw = base64.b64decode(request.cookies["state"])
    obj = pickle.loads(raw)  # expect: BR104
    conf = yaml.load(request.data)  # expect: BR104
    return str(obj) + str(conf)
"""
        ),
        Invalid(
            """
import pickle
from django.http import JsonResponse

def restore(request):
    blob = request.body
    return JsonResponse(pickle.loads(blob))  # expect: BR104
"""
        ),
    ]
    VALID = [
        Valid(
            """
import json, pickle, yaml
from flask import Flask, request

app = Flask(__name__)

@app.route("/state")
def state():
    conf = yaml.load(request.data, Loader=yaml.SafeLoader)  # ok: BR104
    data = json.loads(request.data)
    with open("cache.pkl", "rb") as fh:
        cached = pickle.load(fh)  # ok: BR104
    return str(conf) + str(data) + str(cached)
"""
        ),
    ]
