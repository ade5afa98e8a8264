"""Running ``kingress demo`` / ``kingress dev`` as real subprocesses, and finding what they left.

``Running`` starts the command with its output in a pipe read by a thread, so
a test can wait (bounded) for a line, and kills it if the test ends first;
``descendants`` lists the processes a
kingress process started — Envoy (its files are in the work directory) and
the revision processes (``kingress.localrt.child <kingress pid>``) — found by
command line in ``/proc``, so ones re-parented after a leak are found too.
"""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ENVOY_OR_SKIP_REASON = "needs Linux /proc to find leftover processes"
requires_proc = pytest.mark.skipif(
    not Path("/proc/self/cmdline").exists(), reason=ENVOY_OR_SKIP_REASON
)


class Running:
    """A kingress subprocess and everything it printed so far."""

    def __init__(self, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kingress.cli.main", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self._lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def __enter__(self) -> Running:
        return self

    def __exit__(self, *exc: object) -> None:
        """Kill the process if a failing test left it running (its children follow it)."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.append(line)

    @property
    def output(self) -> str:
        """Everything printed so far."""
        return "".join(self._lines)

    def wait_for(self, pattern: str, timeout: float = 60.0) -> re.Match[str]:
        """The first match of ``pattern`` in the output; fails after ``timeout`` or an exit."""
        deadline = time.monotonic() + timeout
        while True:
            found = re.search(pattern, self.output)
            if found:
                return found
            if self.process.poll() is not None or time.monotonic() > deadline:
                self._reader.join(timeout=5)
                raise AssertionError(f"no {pattern!r} in the output:\n{self.output}")
            time.sleep(0.05)

    def finish(self, timeout: float = 60.0) -> int:
        """Wait for the exit (killing it after ``timeout``); the exit code."""
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"kingress did not exit in {timeout}s:\n{self.output}") from None
        self._reader.join(timeout=5)
        return code


def descendants(pid: int, workdir: Path) -> list[str]:
    """Processes kingress ``pid`` started, still alive: Envoy of ``workdir``, revision processes."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == pid:
            continue
        try:
            args = [
                a.decode(errors="replace") for a in (entry / "cmdline").read_bytes().split(b"\0")
            ]
        except OSError:
            continue
        text = " ".join(a for a in args if a)
        if str(workdir) in text or ("kingress.localrt.child" in text and str(pid) in args):
            found.append(f"{entry.name}: {text}")
    return found


def wait_gone(pid: int, workdir: Path, timeout: float = 10.0) -> None:
    """Every process ``pid`` started is gone (bounded wait: exiting takes a moment)."""
    deadline = time.monotonic() + timeout
    while left := descendants(pid, workdir):
        if time.monotonic() > deadline:
            raise AssertionError("processes left behind:\n" + "\n".join(left))
        time.sleep(0.05)
