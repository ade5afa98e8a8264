"""The local runtime with real processes: a Deployment and Service in, a serving process out.

The cluster is the real in-memory store (wrapped in a ``RecordingCluster``
where the writes matter); the processes are real ``helloworld`` samples
answering real HTTP on 127.0.0.1. Waits are bounded; nothing depends on how
long anything takes.
"""

from __future__ import annotations

import copy
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kingress.cluster.errors import NotFound
from kingress.cluster.memory import MemoryCluster
from kingress.cluster.port import Cluster, Kind, Object, ObjectRef
from kingress.cluster.recording import RecordingCluster, Verb
from kingress.controller.clock import FakeClock
from kingress.controller.reconciler import Context, Result
from kingress.controller.settle import settle
from kingress.localrt import RUNTIME_LABEL, LocalRuntime, ProcessInfo, RuntimeClosed
from tests.localrt.builders import (
    deployment,
    service,
    with_env,
    with_finalizer,
    with_replicas,
)
from tests.localrt.support import get, is_gone, wait_until

DEPLOYMENT = Kind("apps", "Deployment")
ENDPOINTS = Kind("", "Endpoints")
SERVICE = Kind("", "Service")
CLOCK = FakeClock()


def ref(revision: str) -> ObjectRef:
    return ObjectRef(DEPLOYMENT, "default", f"{revision}-deployment")


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[LocalRuntime]:
    with LocalRuntime(tmp_path, ready_timeout=30.0, check_every=1.0) as local:
        yield local


def reconcile(runtime: LocalRuntime, cluster: Cluster, revision: str) -> Result:
    return runtime.reconcile(Context(cluster=cluster, clock=CLOCK), ref(revision))


def running(runtime: LocalRuntime, revision: str) -> ProcessInfo:
    info = runtime.process(ref(revision))
    assert info is not None, f"no process runs for {revision}"
    return info


def endpoints_ports(store: MemoryCluster, name: str) -> list[int]:
    endpoints = store.get(ENDPOINTS, "default", name)
    return [port["port"] for subset in endpoints.get("subsets") or () for port in subset["ports"]]


def available(obj: Object) -> str:
    conditions = (obj.get("status") or {}).get("conditions") or ()
    return next((c["status"] for c in conditions if c["type"] == "Available"), "Unknown")


def written(recording: RecordingCluster) -> list[tuple[Verb, str, str]]:
    """The writes as (verb, name, what each said: Endpoints serving or empty, availability)."""
    result = []
    for action in recording.actions:
        obj = action.object or {}
        if action.ref.kind == ENDPOINTS:
            detail = "serving" if obj.get("subsets") else "empty"
        elif action.ref.kind == DEPLOYMENT:
            detail = f"Available={available(obj)}"
        else:
            detail = ""
        result.append((action.verb, action.ref.name, detail))
    return result


def test_starts_the_sample_writes_endpoints_and_marks_the_deployment_available(
    runtime: LocalRuntime, tmp_path: Path
) -> None:
    store = MemoryCluster()
    store.create(deployment("hello-00001", with_env("TARGET", "Go Sample v1")))
    store.create(service("hello-00001"))
    recording = RecordingCluster(store)

    result = reconcile(runtime, recording, "hello-00001")

    info = running(runtime, "hello-00001")
    assert get(info.port).body == "Hello Go Sample v1!\n"
    assert written(recording) == [
        (Verb.CREATE, "hello-00001", "serving"),
        (Verb.UPDATE_STATUS, "hello-00001-deployment", "Available=True"),
    ]
    endpoints = store.get(ENDPOINTS, "default", "hello-00001")
    assert endpoints["subsets"] == [
        {
            "addresses": [{"ip": "127.0.0.1"}],
            "ports": [{"name": "http", "port": info.port, "protocol": "TCP"}],
        }
    ]
    assert endpoints["metadata"]["labels"][RUNTIME_LABEL] == "true"
    owner = endpoints["metadata"]["ownerReferences"][0]
    assert (owner["kind"], owner["name"]) == ("Deployment", "hello-00001-deployment")
    status = store.get(DEPLOYMENT, "default", "hello-00001-deployment")["status"]
    assert (status["readyReplicas"], status["availableReplicas"]) == (1, 1)
    assert result.requeue_after == 1.0
    assert info.log.parent == tmp_path / "default"
    assert "listening on" in info.log.read_text()

    recording.actions.clear()
    reconcile(runtime, recording, "hello-00001")
    assert recording.actions == []
    assert running(runtime, "hello-00001").pid == info.pid


def test_an_env_change_restarts_the_process_with_the_new_target(runtime: LocalRuntime) -> None:
    store = MemoryCluster()
    store.create(deployment("hello-00001", with_env("TARGET", "v1")))
    store.create(service("hello-00001"))
    reconcile(runtime, store, "hello-00001")
    before = running(runtime, "hello-00001")

    changed = copy.deepcopy(store.get(DEPLOYMENT, "default", "hello-00001-deployment"))
    changed["spec"]["template"]["spec"]["containers"][0]["env"][-1]["value"] = "v2"
    store.update(changed)
    reconcile(runtime, store, "hello-00001")

    after = running(runtime, "hello-00001")
    assert after.pid != before.pid
    assert get(after.port).body == "Hello v2!\n"
    assert endpoints_ports(store, "hello-00001") == [after.port]
    with pytest.raises(ProcessLookupError):
        os.kill(before.pid, 0)
    assert after.log != before.log
    assert "'gcr.io/knative-samples/helloworld-go'" in after.log.read_text()


def test_deleting_the_deployment_stops_its_process_and_removes_its_endpoints(
    runtime: LocalRuntime,
) -> None:
    store = MemoryCluster()
    store.create(deployment("hello-00001"))
    store.create(service("hello-00001"))
    settle(store, [runtime], CLOCK)
    pid = running(runtime, "hello-00001").pid

    store.delete(DEPLOYMENT, "default", "hello-00001-deployment")
    reconcile(runtime, store, "hello-00001")  # as the watch event of the deletion would

    assert runtime.process(ref("hello-00001")) is None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    with pytest.raises(NotFound):
        store.get(ENDPOINTS, "default", "hello-00001")
    assert store.get(SERVICE, "default", "hello-00001")


def test_a_deployment_being_deleted_releases_its_process_and_endpoints(
    runtime: LocalRuntime,
) -> None:
    store = MemoryCluster()
    store.create(deployment("hello-00001", with_finalizer("example.com/hold")))
    store.create(service("hello-00001"))
    reconcile(runtime, store, "hello-00001")
    pid = running(runtime, "hello-00001").pid
    store.delete(DEPLOYMENT, "default", "hello-00001-deployment")
    recording = RecordingCluster(store)

    reconcile(runtime, recording, "hello-00001")

    assert [(a.verb, a.ref.kind, a.ref.name) for a in recording.actions] == [
        (Verb.DELETE, ENDPOINTS, "hello-00001")
    ]
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_a_killed_process_is_restarted_and_the_deployment_unavailable_meanwhile(
    runtime: LocalRuntime,
) -> None:
    store = MemoryCluster()
    store.create(deployment("hello-00001", with_env("TARGET", "again")))
    store.create(service("hello-00001"))
    reconcile(runtime, store, "hello-00001")
    killed = running(runtime, "hello-00001")

    os.kill(killed.pid, signal.SIGKILL)
    wait_until(lambda: runtime.process(ref("hello-00001")) is None, "the kill to be seen")
    recording = RecordingCluster(store)
    reconcile(runtime, recording, "hello-00001")

    assert written(recording) == [
        (Verb.UPDATE, "hello-00001", "empty"),
        (Verb.UPDATE_STATUS, "hello-00001-deployment", "Available=False"),
        (Verb.UPDATE, "hello-00001", "serving"),
        (Verb.UPDATE_STATUS, "hello-00001-deployment", "Available=True"),
    ]
    restarted = running(runtime, "hello-00001")
    assert restarted.pid != killed.pid
    assert get(restarted.port).body == "Hello again!\n"
    assert endpoints_ports(store, "hello-00001") == [restarted.port]


def test_a_process_that_cannot_start_is_reported_and_retried(runtime: LocalRuntime) -> None:
    store = MemoryCluster()
    store.create(deployment("hello-00001", with_env("PYTHONHOME", "/nonexistent")))
    store.create(service("hello-00001"))

    result = reconcile(runtime, store, "hello-00001")

    assert runtime.process(ref("hello-00001")) is None
    assert available(store.get(DEPLOYMENT, "default", "hello-00001-deployment")) == "False"
    assert endpoints_ports(store, "hello-00001") == []
    assert result.requeue_after == 1.0

    fixed = copy.deepcopy(store.get(DEPLOYMENT, "default", "hello-00001-deployment"))
    fixed["spec"]["template"]["spec"]["containers"][0]["env"].pop()
    store.update(fixed)
    reconcile(runtime, store, "hello-00001")
    assert available(store.get(DEPLOYMENT, "default", "hello-00001-deployment")) == "True"
    assert get(running(runtime, "hello-00001").port).body == "Hello World!\n"


def test_services_coming_and_going_get_and_lose_their_endpoints(runtime: LocalRuntime) -> None:
    store = MemoryCluster()
    store.create(deployment("hello-00001"))
    settle(store, [runtime], CLOCK)
    port = running(runtime, "hello-00001").port
    assert store.list(ENDPOINTS) == []

    store.create(service("hello-00001"))
    settle(store, [runtime], CLOCK)
    assert endpoints_ports(store, "hello-00001") == [port]

    store.delete(SERVICE, "default", "hello-00001")
    settle(store, [runtime], CLOCK)
    assert store.list(ENDPOINTS) == []
    assert running(runtime, "hello-00001").port == port


def test_scaling_to_zero_stops_the_process_and_empties_the_endpoints(
    runtime: LocalRuntime,
) -> None:
    store = MemoryCluster()
    store.create(deployment("hello-00001"))
    store.create(service("hello-00001"))
    settle(store, [runtime], CLOCK)
    pid = running(runtime, "hello-00001").pid

    scaled = with_replicas(0)(
        copy.deepcopy(store.get(DEPLOYMENT, "default", "hello-00001-deployment"))
    )
    store.update(scaled)
    report = settle(store, [runtime], CLOCK)

    assert runtime.process(ref("hello-00001")) is None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert endpoints_ports(store, "hello-00001") == []
    status = store.get(DEPLOYMENT, "default", "hello-00001-deployment")["status"]
    assert available({"status": status}) == "True"
    assert "availableReplicas" not in status
    assert report.requeues == {}


def test_close_leaves_no_process_behind(tmp_path: Path) -> None:
    store = MemoryCluster()
    for revision in ("one-00001", "two-00001"):
        store.create(deployment(revision))
    local = LocalRuntime(tmp_path)
    settle(store, [local], CLOCK)
    pids = [running(local, revision).pid for revision in ("one-00001", "two-00001")]

    local.close()

    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    store.create(deployment("three-00001"))
    with pytest.raises(RuntimeClosed):
        reconcile(local, store, "three-00001")


PARENT = """
import sys
from pathlib import Path
from kingress.localrt.processes import LocalProcess
from kingress.localrt.resources import ContainerPort, ProcessSpec

spec = ProcessSpec(image="sample", env=(), port=ContainerPort(8080), template_hash="x")
process = LocalProcess(spec, Path(sys.argv[1]))
assert process.wait_ready(30.0)
print(process.info.pid, flush=True)
sys.stdin.read()
"""
ORPHANED = "parent {pid} is gone, exiting"


@pytest.mark.parametrize(
    ("end", "stopped_by"),
    [
        pytest.param("exit", "atexit", id="exit-stops-it"),
        pytest.param("kill", "the child itself", id="kill-orphans-it-and-it-exits"),
    ],
)
def test_a_process_never_outlives_kingress(tmp_path: Path, end: str, stopped_by: str) -> None:
    log = tmp_path / "child.log"
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, str(log)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert parent.stdout is not None and parent.stdin is not None
    child = int(parent.stdout.readline())
    try:
        assert not is_gone(child)
        if end == "kill":
            parent.kill()
        parent.stdin.close()
        parent.wait(timeout=10)
        wait_until(lambda: is_gone(child), f"the child to be stopped by {stopped_by}")
        assert (ORPHANED.format(pid=parent.pid) in log.read_text()) is (end == "kill")
    finally:
        if not is_gone(child):
            os.kill(child, signal.SIGKILL)
        parent.kill()
        parent.wait(timeout=10)
        parent.stdout.close()
