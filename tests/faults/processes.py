"""A controller in a process of its own, so a test can SIGKILL it at any instant.

The child runs the runtime ``Manager`` with every controller kingress runs
offline (``offline_reconcilers``: the stand-in kubelet makes Revisions ready,
as in the ``settle`` reference) against a kubeconfig, through the real
``kubernetes`` client, with leader election and the fast test timings — but
the production resync period (10 minutes), so what a killed predecessor left
half done is finished because a new leader re-queues every object, not by a
periodic resync. It prints ``started`` once running and exits when its stdin
closes, so it never outlives the test that started it, even if that test dies.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from types import TracebackType

_SCRIPT = """
import os, sys, threading
from pathlib import Path
from kingress.controller.registry import offline_reconcilers
from kingress.runtime.testing import running_controller

def orphaned():
    sys.stdin.read()
    os._exit(0)

threading.Thread(target=orphaned, daemon=True).start()
kubeconfig, identity = Path(sys.argv[1]), sys.argv[2]
with running_controller(
    kubeconfig, offline_reconcilers(), identity, workers=4, resync_period=600.0
):
    print("started", flush=True)
    threading.Event().wait()
"""


class ControllerProcess:
    """One controller process: ``start`` waits until it runs; ``kill`` is SIGKILL."""

    def __init__(self, kubeconfig: Path, identity: str, log: Path) -> None:
        self.kubeconfig = kubeconfig
        self.identity = identity
        self.log = log
        self._process: subprocess.Popen[str] | None = None

    def start(self) -> ControllerProcess:
        """Spawn the controller; return once it reports running (bounded)."""
        with self.log.open("a") as log:
            self._process = subprocess.Popen(
                [sys.executable, "-c", _SCRIPT, str(self.kubeconfig), self.identity],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
            )
        assert self._process.stdout is not None
        line = self._process.stdout.readline().strip()
        if line != "started":
            self.kill()
            raise AssertionError(f"controller {self.identity} did not start; see {self.log}")
        return self

    def kill(self) -> None:
        """SIGKILL, as a node failure or the OOM killer would, and reap it."""
        process = self._process
        if process is None or process.poll() is not None:
            return
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                stream.close()

    def __enter__(self) -> ControllerProcess:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.kill()
