"""Real HTTP to local processes, and bounded waiting, for the runtime's tests."""

from __future__ import annotations

import http.client
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Answer:
    """One HTTP response."""

    status: int
    headers: Mapping[str, str]
    body: str


def get(port: int, headers: Mapping[str, str] | None = None) -> Answer:
    """``GET /`` on 127.0.0.1:``port``."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", "/", headers=dict(headers or {}))
        response = connection.getresponse()
        body = response.read().decode()
        return Answer(response.status, dict(response.getheaders()), body)
    finally:
        connection.close()


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 15.0) -> None:
    """Return once ``condition()`` holds; fail naming ``what`` if it does not within ``timeout``."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting: {what}")
        time.sleep(0.02)


def is_gone(pid: int) -> bool:
    """Whether process ``pid`` is gone: no such process, or a zombie nobody has reaped yet."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] == "Z"
