"""The controllers against an API that fails on purpose: 409s, 500s, lost answers, cut watches.

``kingress apiserver`` with a seeded ``FaultPlan`` refuses a fraction of
writes with ``409 Conflict`` or ``500``, stores another fraction but answers
``500`` (so a create that "failed" exists), and cuts watches at random (ending
them cleanly or aborting the connection). The runtime Manager with every
controller, through the real ``kubernetes`` client, must still converge to
what an uninterrupted offline ``settle`` of the same input makes (some
Services deleted mid-run), with every kind of fault actually injected and no
object ever reported ``Ready=False`` because of one — and without the help of
a periodic resync, which would hide a lost event for ten minutes in production.
"""

from __future__ import annotations

import os
from pathlib import Path

from kingress.apiserver.faults import FaultPlan
from kingress.controller.registry import offline_reconcilers
from kingress.plugin.manager import build_registry
from kingress.runtime.testing import connect, running_apiserver, running_controller
from tests.faults.workload import Workload

SERVICES = 12
SEED = int(os.environ.get("KINGRESS_FAULT_SEED", "1207"))
PLAN = FaultPlan(seed=SEED, conflicts=0.06, errors=0.03, lost_responses=0.03, watch_drops=0.02)


def test_controllers_converge_through_api_faults(tmp_path: Path) -> None:
    work = Workload.of(SERVICES)
    with running_apiserver(tmp_path, backends=build_registry(), faults=PLAN) as (
        server,
        kubeconfig,
    ):
        kube = connect(kubeconfig)
        work.apply(kube)
        # The production resync period: convergence must not wait for a periodic resync.
        with running_controller(
            kubeconfig, offline_reconcilers(), "faulty", workers=4, resync_period=600.0
        ):
            work.delete_doomed(kube)
            work.wait_converged(server, 60, f"seed {SEED}")
        assert server.faults is not None
        assert all(count > 0 for count in server.faults.injected.values()), server.faults.injected
    work.check_invariants(server)
