"""JSON encoding of the pipeline's values (dataclasses, enums, tuples) for the cache.

The cache may live inside the reviewed repository, which is untrusted: a pickle there would
run whatever its author wanted. JSON cannot, and decoding only rebuilds dataclasses and enums
defined in the `reviewer` package itself; anything else makes the entry invalid.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import json
from enum import Enum
from typing import Any


class CodecError(ValueError):
    """A cache entry that cannot be decoded: treat it as missing."""


# Every tagged form is a JSON object with exactly one of these key sets; a str-keyed dict is
# written as a plain object, unless its keys happen to form a tag set (then as pairs), so tags
# stay unambiguous. Decoding is one `json.loads` whose object_hook sees each object bottom-up.
_TAGS = {
    frozenset({"__t__"}): "tuple",
    frozenset({"__p__"}): "pairs",
    frozenset({"__s__", "frozen"}): "set",
    frozenset({"__e__", "v"}): "enum",
    frozenset({"__d__", "a"}): "dataclass",
}


def _encode(value: Any) -> Any:
    if isinstance(value, Enum):
        return {"__e__": _qualname(type(value)), "v": value.value}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        # positional: field names would be most of the bytes (the cache is salted with our
        # code, so an entry is never read by a version whose fields differ)
        values = [_encode(getattr(value, f.name)) for f in dataclasses.fields(value)]
        return {"__d__": _qualname(type(value)), "a": values}
    if isinstance(value, tuple):
        return {"__t__": [_encode(v) for v in value]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, frozenset | set):
        items = sorted((_encode(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
        return {"__s__": items, "frozen": isinstance(value, frozenset)}
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value) and frozenset(value) not in _TAGS:
            return {k: _encode(v) for k, v in value.items()}  # a plain object: no tag needed
        return {"__p__": [[_encode(k), _encode(v)] for k, v in value.items()]}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise CodecError(f"cannot encode {type(value).__name__}")


def _qualname(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


@functools.cache
def _load_class(name: str) -> type:
    module_name, _, qual = name.partition(":")
    parts = module_name.split(".")
    # only our own modules, and never one that runs something when imported (__main__)
    if parts[0] != "reviewer" or any(p.startswith("__") for p in parts):
        raise CodecError(f"refusing to build {name}")
    try:
        obj: Any = importlib.import_module(module_name)
        for part in qual.split("."):
            obj = getattr(obj, part)
    except (ImportError, AttributeError) as exc:
        raise CodecError(f"unknown type {name}") from exc
    if not isinstance(obj, type) or obj.__module__ != module_name:
        raise CodecError(f"{name} is not a type defined there")
    return obj


def _decode_object(obj: dict[str, Any]) -> Any:
    """object_hook: rebuild one tagged object; any other object is a plain str-keyed dict."""
    tag = _TAGS.get(frozenset(obj)) if len(obj) <= 2 else None
    if tag is None:
        return obj
    if tag == "tuple":
        return tuple(obj["__t__"])
    if tag == "pairs":
        return {_hashable(k): v for k, v in obj["__p__"]}
    if tag == "set":
        items = map(_hashable, obj["__s__"])
        return frozenset(items) if obj["frozen"] else set(items)
    if tag == "enum":
        cls = _load_class(obj["__e__"])
        if not issubclass(cls, Enum):
            raise CodecError(f"{obj['__e__']} is not an enum")
        return cls(obj["v"])
    cls = _load_class(obj["__d__"])
    if not dataclasses.is_dataclass(cls):
        raise CodecError(f"{obj['__d__']} is not a dataclass")
    return cls(*obj["a"])


def _hashable(value: Any) -> Any:
    if isinstance(value, list | dict | set):
        raise CodecError("unhashable key or set member")
    return value


def dumps(value: Any) -> str:
    return json.dumps(_encode(value), separators=(",", ":"), sort_keys=True)


def loads(text: str | bytes) -> Any:
    try:
        return json.loads(text, object_hook=_decode_object)
    except (ValueError, TypeError, KeyError, RecursionError) as exc:
        if isinstance(exc, CodecError):
            raise
        raise CodecError(str(exc)) from exc
