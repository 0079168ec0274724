"""Calls that write a log record: the stdlib `logging` module, loguru and structlog.

A call is a logging call when its method is a log level (`logger.error(...)`) on a logger
(`logging.getLogger(...)`, `structlog.get_logger()`, a receiver named like one: `log`, `logger`,
`self._logger`) or on the logging modules themselves. Shared by the error-handling and logging
rules, so it sits beside them.

References:
- https://docs.python.org/3/library/logging.html#logger-objects
- https://loguru.readthedocs.io/en/stable/api/logger.html
- https://www.structlog.org/en/stable/api.html
"""

from __future__ import annotations

import re
from collections.abc import Callable

import libcst as cst

from reviewer.imports import dotted_name

LOG_METHODS = frozenset(
    {"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "log", "msg"}
)
_LOGGER_NAME = re.compile(r"^_*(\w+_)?(log|logger|logging)$|logger")


def is_logging_call(call: cst.Call, resolve: Callable[..., str | None]) -> bool:
    """`logger.error(...)`, `logging.exception(...)`, `self.log.warning(...)`, loguru, structlog."""
    func = call.func
    if (
        isinstance(func, cst.Attribute)
        and func.attr.value in LOG_METHODS
        and isinstance(func.value, cst.Call)
    ):
        factory = (resolve(func.value.func) or "").lower()
        return factory.endswith(("getlogger", "get_logger")) or factory.startswith("structlog")
    if isinstance(func, cst.Attribute) and func.attr.value in LOG_METHODS:
        receiver = (dotted_name(func.value) or "").lower().split(".")[-1]
        resolved = (resolve(func.value) or "").lower()
        return bool(_LOGGER_NAME.match(receiver)) or resolved.startswith(
            ("logging", "loguru", "structlog")
        )
    return False
