"""Structured logs: one JSON object per line, with the fields passed as ``extra``.

``log.info("reconciled", extra={"reconciler": "route", "key": "default/hello"})``
becomes ``{"time": ..., "level": "info", "logger": ..., "msg": "reconciled",
"reconciler": "route", "key": "default/hello"}``.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import IO, Any

_STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """Formats records as JSON lines."""

    def format(self, record: logging.LogRecord) -> str:
        """One JSON object."""
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        entry.update({k: v for k, v in record.__dict__.items() if k not in _STANDARD})
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure(level: str = "info", stream: IO[str] | None = None) -> None:
    """Send kingress's logs, as JSON, to ``stream`` (stderr by default)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("kingress")
    logger.handlers[:] = [handler]
    logger.setLevel(level.upper())
    logger.propagate = False
