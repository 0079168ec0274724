"""JSON encoding of the pipeline's values (dataclasses, enums, tuples) for the cache.

The cache may live inside the reviewed repository, which is untrusted: a pickle there would
run whatever its author wanted. JSON cannot, and decoding only rebuilds dataclasses and enums
defined in the `reviewer` package itself; anything else makes the entry invalid.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
from enum import Enum
from typing import Any


class CodecError(ValueError):
    """A cache entry that cannot be decoded: treat it as missing."""


def _encode(value: Any) -> Any:
    if isinstance(value, Enum):
        return {"__e__": _qualname(type(value)), "v": value.value}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"__d__": _qualname(type(value)), "f": fields}
    if isinstance(value, tuple):
        return {"__t__": [_encode(v) for v in value]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, frozenset | set):
        items = sorted((_encode(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
        return {"__s__": items, "frozen": isinstance(value, frozenset)}
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value):
            return {"__m__": {k: _encode(v) for k, v in value.items()}}
        return {"__p__": [[_encode(k), _encode(v)] for k, v in value.items()]}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise CodecError(f"cannot encode {type(value).__name__}")


def _qualname(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def _load_class(name: str) -> type:
    module_name, _, qual = name.partition(":")
    if not (module_name == "reviewer" or module_name.startswith("reviewer.")):
        raise CodecError(f"refusing to build {name}")
    try:
        obj: Any = importlib.import_module(module_name)
        for part in qual.split("."):
            obj = getattr(obj, part)
    except (ImportError, AttributeError) as exc:
        raise CodecError(f"unknown type {name}") from exc
    if not isinstance(obj, type):
        raise CodecError(f"{name} is not a type")
    return obj


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "__t__" in value:
        return tuple(_decode(v) for v in value["__t__"])
    if "__m__" in value:
        return {k: _decode(v) for k, v in value["__m__"].items()}
    if "__p__" in value:
        return {_decode(k): _decode(v) for k, v in value["__p__"]}
    if "__s__" in value:
        items = [_decode(v) for v in value["__s__"]]
        return frozenset(items) if value.get("frozen") else set(items)
    if "__e__" in value:
        cls = _load_class(value["__e__"])
        if not issubclass(cls, Enum):
            raise CodecError(f"{value['__e__']} is not an enum")
        return cls(value["v"])
    if "__d__" in value:
        cls = _load_class(value["__d__"])
        if not dataclasses.is_dataclass(cls):
            raise CodecError(f"{value['__d__']} is not a dataclass")
        return cls(**{k: _decode(v) for k, v in value["f"].items()})
    raise CodecError("unexpected mapping")


def dumps(value: Any) -> str:
    return json.dumps(_encode(value), separators=(",", ":"), sort_keys=True)


def loads(text: str | bytes) -> Any:
    try:
        return _decode(json.loads(text))
    except (ValueError, TypeError, KeyError) as exc:
        if isinstance(exc, CodecError):
            raise
        raise CodecError(str(exc)) from exc
