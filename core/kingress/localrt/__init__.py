"""The local revision runtime: Deployments served by local processes, for the embedded default.

``LocalRuntime(workdir)`` is a reconciler over ``apps/v1`` Deployments: run it
with the other controllers (``settle`` offline, the controller manager live)
in place of the stand-in kubelet, and ``close()`` it when done. See
``docs/local-runtime.md``.
"""

from __future__ import annotations

from kingress.localrt.processes import ProcessInfo, RuntimeClosed
from kingress.localrt.reconciler import LocalRuntime
from kingress.localrt.resources import RUNTIME_LABEL

__all__ = ["RUNTIME_LABEL", "LocalRuntime", "ProcessInfo", "RuntimeClosed"]
