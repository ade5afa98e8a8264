"""The controller runtime against the embedded API, through the real HTTP client."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from kingress import frozen
from kingress.apiserver.server import ApiServer
from kingress.cluster import kube as kube_module
from kingress.cluster.errors import NotFound
from kingress.cluster.kube import KubeCluster
from kingress.cluster.memory import MemoryCluster
from kingress.cluster.port import Kind, Object, ObjectRef
from kingress.frozen import FrozenDict, ReadOnlyError
from kingress.runtime.testing import (
    CONFIG_MAP,
    SECRET,
    WRITER,
    CopyToSecret,
    connect,
    decoded,
    running_apiserver,
    running_controller,
    wait_until,
)

LEASE = Kind("coordination.k8s.io", "Lease")


def make_config_map(kube: KubeCluster, name: str, value: str) -> Object:
    return kube.create(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": name, "namespace": "default"},
            "data": {"value": value},
        }
    )


def secret_value(kube: KubeCluster, name: str) -> str | None:
    try:
        return decoded(kube.get(SECRET, "default", name)).get("value")
    except NotFound:
        return None


def test_changes_propagate_and_the_endpoints_report(
    server: tuple[ApiServer, Path], kube: KubeCluster
) -> None:
    make_config_map(kube, "before", "1")
    reconciler = CopyToSecret("solo")
    with running_controller(server[1], [reconciler], "solo") as manager:
        wait_until(lambda: secret_value(kube, "before") == "1", what="the existing ConfigMap")
        make_config_map(kube, "after", "2")
        wait_until(lambda: secret_value(kube, "after") == "2", what="a new ConfigMap")
        current = kube.get(CONFIG_MAP, "default", "after")
        kube.update({**current, "data": {"value": "3"}})
        wait_until(lambda: secret_value(kube, "after") == "3", what="an update")
        # Deleting the Secret (a watched kind) brings it back through the owner mapper.
        kube.delete(SECRET, "default", "after")
        wait_until(lambda: secret_value(kube, "after") == "3", what="the deleted Secret")
        assert manager.health is not None
        base = f"http://127.0.0.1:{manager.health.port}"
        wait_until(lambda: manager.ready() is None, what="readiness")
        with urllib.request.urlopen(f"{base}/readyz", timeout=5) as ready:
            assert ready.status == 200
        with urllib.request.urlopen(f"{base}/metrics", timeout=5) as scrape:
            metrics = scrape.read().decode()
        assert 'kingress_reconcile_total{reconciler="copy-to-secret",result="success"}' in metrics
        assert "kingress_reconcile_duration_seconds_bucket" in metrics
        assert "kingress_workqueue_depth" in metrics
        assert "kingress_leader 1" in metrics
    reconciled_before = reconciler.reconciled.count(ObjectRef(CONFIG_MAP, "default", "before"))
    assert reconciled_before <= 2, "an unchanged object should not be reconciled over and over"


def test_only_the_leader_writes_and_a_follower_takes_over(
    server: tuple[ApiServer, Path], kube: KubeCluster
) -> None:
    first, second = CopyToSecret("first"), CopyToSecret("second")
    with running_controller(server[1], [first], "first") as leader:
        wait_until(lambda: leader.is_leader, what="the first controller to lead")
        with running_controller(server[1], [second], "second") as follower:
            wait_until(lambda: follower.ready() is None, what="the follower to be ready")
            for number in range(3):
                make_config_map(kube, f"cm-{number}", str(number))
            wait_until(
                lambda: all(secret_value(kube, f"cm-{n}") == str(n) for n in range(3)),
                what="the leader to copy every ConfigMap",
            )
            writers = {s["metadata"]["annotations"][WRITER] for s in kube.list(SECRET, "default")}
            assert writers == {"first"}
            assert second.reconciled == []
            assert not follower.is_leader
            leader.stop()
            wait_until(lambda: follower.is_leader, timeout=10, what="the follower to lead")
            make_config_map(kube, "late", "x")
            wait_until(lambda: secret_value(kube, "late") == "x", what="the new leader's write")
            late = kube.get(SECRET, "default", "late")
            assert late["metadata"]["annotations"][WRITER] == "second"


def test_a_killed_controller_is_replaced_with_nothing_lost_or_duplicated(
    server: tuple[ApiServer, Path], kube: KubeCluster
) -> None:
    script = (
        "import sys, threading\n"
        "from pathlib import Path\n"
        "from kingress.runtime.testing import CopyToSecret, running_controller\n"
        "with running_controller(Path(sys.argv[1]), [CopyToSecret('doomed')], 'doomed'):\n"
        "    print('started', flush=True)\n"
        "    threading.Event().wait()\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script, str(server[1])], stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None and process.stdout.readline().strip() == "started"
        make_config_map(kube, "early", "1")
        wait_until(lambda: secret_value(kube, "early") == "1", what="the doomed controller")
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    for number in range(5):
        make_config_map(kube, f"orphan-{number}", str(number))
    survivor = CopyToSecret("survivor")
    with running_controller(server[1], [survivor], "survivor") as manager:
        wait_until(lambda: manager.is_leader, timeout=10, what="the lease to expire")
        wait_until(
            lambda: all(secret_value(kube, f"orphan-{n}") == str(n) for n in range(5)),
            what="every ConfigMap created while nobody led",
        )
    secrets = sorted(s["metadata"]["name"] for s in kube.list(SECRET, "default"))
    config_maps = sorted(c["metadata"]["name"] for c in kube.list(CONFIG_MAP, "default"))
    assert secrets == config_maps
    lease = kube.get(LEASE, "default", "kingress-controller")
    assert lease["spec"]["leaseTransitions"] >= 2


def test_conflicts_are_retried(server: tuple[ApiServer, Path], kube: KubeCluster) -> None:
    interfered: list[ObjectRef] = []

    def interfere(ref: ObjectRef) -> None:
        # The first time, someone else writes between our read and our write.
        if not interfered:
            interfered.append(ref)
            current = kube.get(SECRET, ref.namespace, ref.name)
            labels = {"touched": "yes"}
            kube.update({**current, "metadata": {**current["metadata"], "labels": labels}})

    reconciler = CopyToSecret("solo", before_write=interfere)
    make_config_map(kube, "contested", "first")
    with running_controller(server[1], [reconciler], "solo") as manager:
        wait_until(lambda: secret_value(kube, "contested") == "first", what="the first copy")
        current = kube.get(CONFIG_MAP, "default", "contested")
        kube.update({**current, "data": {"value": "second"}})
        wait_until(lambda: secret_value(kube, "contested") == "second", what="the retried write")
        assert interfered
        assert manager.errors.value("copy-to-secret", "Conflict") >= 1


def test_an_expired_watch_relists_and_loses_nothing(tmp_path: Path) -> None:
    # A tiny history: any burst of writes expires the informer's resourceVersion.
    with running_apiserver(tmp_path, MemoryCluster(history=4)) as (_, kubeconfig):
        kube = connect(kubeconfig)
        reconciler = CopyToSecret("solo")
        with running_controller(kubeconfig, [reconciler], "solo", watch_timeout=1.0) as manager:
            wait_until(lambda: manager.ready() is None, what="readiness")
            for number in range(12):
                make_config_map(kube, f"burst-{number}", str(number))
            wait_until(
                lambda: all(secret_value(kube, f"burst-{n}") == str(n) for n in range(12)),
                what="every ConfigMap of the burst",
            )
            wait_until(
                lambda: (
                    sum(manager.relists.value(str(k), "expired") for k in (CONFIG_MAP, SECRET)) >= 1
                ),
                what="a relist after 410",
            )


def test_cached_kinds_get_informers_of_their_own(
    server: tuple[ApiServer, Path], kube: KubeCluster
) -> None:
    endpoints = Kind("", "Endpoints")
    kube.create({"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "early"}})
    with running_controller(
        server[1], [CopyToSecret("solo")], "solo", cached_kinds=frozenset({endpoints})
    ) as manager:
        assert endpoints in manager.informers
        wait_until(manager.synced, what="the caches")
        kube.create({"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "late"}})
        informer = manager.informers[endpoints]
        wait_until(lambda: informer.get("default", "late") is not None, what="the watch")
        assert informer.covers("default")
        names = [obj["metadata"]["name"] for obj in manager.cluster.list(endpoints, "default")]
        assert names == ["early", "late"]


def test_the_client_reads_lists_page_by_page(
    server: tuple[ApiServer, Path], kube: KubeCluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    for index in range(7):
        make_config_map(kube, f"page-{index}", str(index))
    monkeypatch.setattr(kube_module, "LIST_PAGE", 3)
    pages: list[dict[str, str | None]] = []
    call = kube._call

    def counting(method: str, path: str, **options: Any) -> Any:
        if method == "GET" and path.endswith("/configmaps"):
            pages.append(dict(options.get("query") or {}))
        return call(method, path, **options)

    monkeypatch.setattr(kube, "_call", counting)
    items, version = kube.list_kind(CONFIG_MAP, "default")
    assert [o["metadata"]["name"] for o in items] == [f"page-{i}" for i in range(7)]
    assert all(o["kind"] == "ConfigMap" for o in items)
    assert len(pages) == 3 and all(page["limit"] == "3" for page in pages)
    assert version == str(server[0].store.resource_version)
    # An informer takes them as they come, each page with the list's version.
    listed = list(kube.list_pages(CONFIG_MAP, "default"))
    assert [len(page) for page, _ in listed] == [3, 3, 1]
    assert {at for _, at in listed} == {version}
    assert [o["metadata"]["name"] for page, _ in listed for o in page] == [
        f"page-{i}" for i in range(7)
    ]


def test_informer_pages_come_frozen_and_lists_plain_both_with_their_kind(
    kube: KubeCluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_config_map(kube, "frozen", "value")
    call = kube._call

    def without_kinds(method: str, path: str, **options: Any) -> Any:
        # As kube-apiserver sends a built-in kind's items: no apiVersion, no kind.
        document = call(method, path, **options)
        items = [
            {k: v for k, v in item.items() if k not in ("apiVersion", "kind")}
            for item in document["items"]
        ]
        decode = frozen.loads if options.get("frozen") else json.loads
        return {**document, "items": decode(json.dumps(items))}

    for wrap in (None, without_kinds):
        if wrap is not None:
            monkeypatch.setattr(kube, "_call", wrap)
        [listed] = [obj for page, _ in kube.list_pages(CONFIG_MAP, "default") for obj in page]
        assert (listed["apiVersion"], listed["kind"]) == ("v1", "ConfigMap")
        assert listed["data"] == {"value": "value"}
        assert type(listed) is FrozenDict
        with pytest.raises(ReadOnlyError):
            listed["data"]["value"] = "changed"
        # A plain list is the caller's to change, as every read of the API is.
        [mine] = kube.list(CONFIG_MAP, "default")
        assert (mine["apiVersion"], mine["kind"]) == ("v1", "ConfigMap")
        mine["data"]["value"] = "changed"


def test_workers_wait_for_every_cache_and_reconcile_each_key_once(
    server: tuple[ApiServer, Path], kube: KubeCluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As client-go's WaitForCacheSync: no reconcile reads a cache still being listed."""
    names = [f"cm-{index}" for index in range(5)]
    for name in names:
        make_config_map(kube, name, name)
    with running_controller(server[1], [CopyToSecret("first")], "first"):
        wait_until(lambda: all(secret_value(kube, n) == n for n in names), what="the copies")
    # Restart: the Secrets (children of the ConfigMaps) are listed slowly.
    list_pages = KubeCluster.list_pages

    def slow_secrets(self: KubeCluster, kind: Kind, *args: Any, **kwargs: Any) -> Any:
        if kind == SECRET:
            time.sleep(0.5)
        return list_pages(self, kind, *args, **kwargs)

    monkeypatch.setattr(KubeCluster, "list_pages", slow_secrets)
    synced_at_reconcile: list[bool] = []
    holder: list[Any] = []

    def before_write(ref: ObjectRef) -> None:
        raise AssertionError(f"a restarted controller rewrote {ref}")

    class Recording(CopyToSecret):
        def reconcile(self, ctx: Any, ref: ObjectRef) -> Any:
            synced_at_reconcile.append(holder[0].synced())
            return super().reconcile(ctx, ref)

    reconciler = Recording("second", before_write=before_write)
    with running_controller(server[1], [reconciler], "second") as manager:
        holder.append(manager)
        wait_until(lambda: len(reconciler.reconciled) >= len(names), what="the reconciles")
        wait_until(lambda: len(manager.queue) == 0, what="an empty queue")
        time.sleep(0.3)
    assert synced_at_reconcile and all(synced_at_reconcile)
    assert sorted(ref.name for ref in reconciler.reconciled) == names
