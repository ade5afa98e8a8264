"""Controller processes SIGKILLed mid-reconcile: the survivor converges to the offline result.

A large input (``SERVICES`` entries, several hundred objects once reconciled)
is applied to ``kingress apiserver``; controller processes (the runtime Manager
with every controller, through the real ``kubernetes`` client) are started one
after another and each is SIGKILLed after a seeded-random number of writes
(spread over the work an uninterrupted run does), so the kills land inside
reconciles: between a create and its status write, between a placeholder's
delete and re-create, during a relist. While the first one runs, some Services
are deleted. A last controller then runs undisturbed. Its converged store
must equal an uninterrupted offline ``settle`` of the surviving input, object
for object, with every owner reference resolving, one Revision per
Configuration generation, one ClusterIngress per Route, and no object ever
reported ``Ready=False`` on the way.

``KINGRESS_FAULT_ROUNDS`` (default 3) sets the number of kills and
``KINGRESS_FAULT_SEED`` the seed, for deeper local runs.
"""

from __future__ import annotations

import os
import random
import time
from pathlib import Path

from kingress.cluster.memory import MemoryCluster
from kingress.plugin.manager import build_registry
from kingress.runtime.testing import connect, running_apiserver
from tests.faults.processes import ControllerProcess
from tests.faults.workload import Workload

SERVICES = 50
ROUNDS = int(os.environ.get("KINGRESS_FAULT_ROUNDS", "3"))
SEED = int(os.environ.get("KINGRESS_FAULT_SEED", "1207"))
#: How long a controller may go without a write before it counts as done.
IDLE_SECONDS = 5.0


def run_for(store: MemoryCluster, writes: int) -> int:
    """Wait until ``writes`` more writes happened (or none for a while); how many did."""
    start = last = store.resource_version
    quiet_since = time.monotonic()
    while last < start + writes and time.monotonic() - quiet_since < IDLE_SECONDS:
        time.sleep(0.001)
        if store.resource_version != last:
            last, quiet_since = store.resource_version, time.monotonic()
    return store.resource_version - start


def test_killed_controllers_converge_to_the_offline_result(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    work = Workload.of(SERVICES)
    # Spread the kills over about the work an uninterrupted run does.
    budget = max(20, work.settled.resource_version // ROUNDS)
    log = tmp_path / "controllers.log"
    with running_apiserver(tmp_path, backends=build_registry()) as (server, kubeconfig):
        kube = connect(kubeconfig)
        work.apply(kube)
        kills = []
        for number in range(ROUNDS):
            with ControllerProcess(kubeconfig, f"doomed-{number}", log):
                writes = run_for(server.store, rng.randint(10, budget))
                if number == 0:
                    work.delete_doomed(kube)
                    writes += run_for(server.store, rng.randint(10, budget))
            kills.append(writes)
        with ControllerProcess(kubeconfig, "survivor", log):
            work.wait_converged(server, 120, f"seed {SEED}, kills after {kills} writes")
        work.check_invariants(server)
