"""Logging that cannot leak customers or flood the disk.

- :func:`failure` is how error paths log: one WARNING line naming what failed and the
  exception's *type* (an exception's text may quote a message or a phone number), the
  traceback at DEBUG only, and at most ``burst`` lines per ``window_s`` for one kind of
  failure (a flood of bad requests used to write megabytes of tracebacks a minute); the
  next line says how many were suppressed.
- :func:`redact` takes phone-like digit runs out of texts from elsewhere (a provider's
  error reason quotes the number it refused) before they are logged above DEBUG.
- :class:`JsonFormatter` writes one JSON object a line (``HUB_LOG_FORMAT=json``), and
  every record carries the id of the request it was logged in (:data:`REQUEST_ID`).
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import time
from collections import OrderedDict
from datetime import UTC, datetime

#: the id of the HTTP request being handled ("-" outside one); set by the app's middleware
REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

_PHONE = re.compile(r"\+?\d[\d ().-]{5,}\d")


def redact(text: str) -> str:
    """``text`` with runs of seven or more digits (phone numbers, card numbers) replaced."""
    return _PHONE.sub("[number]", text)


class Throttle:
    """At most ``burst`` events per key in any ``window_s``; remembers ``max_keys`` keys
    (the oldest forgotten first), so its memory is bounded whatever the keys are."""

    def __init__(self, burst: int = 10, window_s: float = 60.0, max_keys: int = 1024) -> None:
        self.burst = burst
        self.window_s = window_s
        self.max_keys = max_keys
        self._seen: OrderedDict[str, tuple[float, int, int]] = OrderedDict()

    def allow(self, key: str, now: float | None = None) -> tuple[bool, int]:
        """Whether to log now, and how many were suppressed since the last line logged."""
        now = time.monotonic() if now is None else now
        start, count, suppressed = self._seen.pop(key, (now, 0, 0))
        if now - start >= self.window_s:
            start, count = now, 0
        if count < self.burst:
            self._seen[key] = (start, count + 1, 0)
            allowed = True
        else:
            self._seen[key] = (start, count, suppressed + 1)
            allowed, suppressed = False, 0
        while len(self._seen) > self.max_keys:
            self._seen.popitem(last=False)
        return allowed, suppressed


_THROTTLE = Throttle()


def failure(logger: logging.Logger, what: str, exc: BaseException, *, key: str = "") -> None:
    """Log that ``what`` failed with ``exc``: WARNING with the exception type only,
    throttled per ``key`` (default: ``what`` and the type), traceback at DEBUG."""
    kind = type(exc).__name__
    allowed, suppressed = _THROTTLE.allow(key or f"{logger.name}:{what}:{kind}")
    if allowed:
        more = f" ({suppressed} more suppressed)" if suppressed else ""
        logger.warning("%s failed: %s%s", what, kind, more)
    logger.debug("%s failed", what, exc_info=exc)


def throttled(logger: logging.Logger, level: int, key: str, msg: str, *args: object) -> None:
    """``logger.log(level, msg, *args)`` at most ``burst`` times per window for ``key``."""
    allowed, suppressed = _THROTTLE.allow(f"{logger.name}:{key}")
    if allowed:
        more = f" ({suppressed} more suppressed)" if suppressed else ""
        logger.log(level, msg + "%s", *args, more)


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on every record (``%(request_id)s``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, request id, message (and the
    traceback, which only DEBUG records carry)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", REQUEST_ID.get()),
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"


def configure(level: str, fmt: str = "text") -> None:
    """The root handler of ``hub serve`` and ``hub worker``: text or JSON lines."""
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
