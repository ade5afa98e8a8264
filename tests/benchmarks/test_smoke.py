"""Every benchmark scenario runs at a tiny size and reports well-formed results.

Smoke runs so the benchmarks cannot rot: the shapes and the counts are
checked, never the timings (this machine's speed is not the code's).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from benchmarks.targets import evaluate, table
from benchmarks.world import BACKENDS, World, service

from benchmarks import __main__ as cli
from benchmarks import cold_start, data_plane, envoy_update, scale, time_to_ready, worker
from kingress.cluster.kube import KubeCluster, load_api_client
from kingress.route.reconciler import CLUSTER_INGRESS
from kingress.serving import access

N = 5


def _is_latency(stats: dict[str, float]) -> bool:
    return all(stats[k] >= 0 for k in ("p50_ms", "p95_ms", "p99_ms", "max_ms"))


@pytest.mark.parametrize("backend", BACKENDS)
def test_scale_runs_the_whole_pipeline_and_one_change(backend: str) -> None:
    result = scale.run(backend, N)
    assert result["objects_by_kind"]["Service.serving.knative.dev"] == N
    assert result["objects_by_kind"]["Revision.serving.knative.dev"] == 2 * N
    assert result["objects_by_kind"]["ClusterIngress.networking.internal.knative.dev"] == N
    assert result["objects"] == sum(result["objects_by_kind"].values())
    assert result["translations"] > 0
    assert result["floor_seconds"] > 0
    translation = result["translation"]
    assert translation["ingresses"] == N
    assert translation["objects"] + translation["refused"] > 0
    incremental = result["incremental"]
    assert incremental["translations"] >= 1
    assert incremental["writes"] == sum(incremental["writes_by_kind"].values())
    assert "modified ClusterIngress" in incremental["writes_by_kind"]


def _settled_from_scratch(n: int) -> tuple[int, dict[str, Any]]:
    world = World("istio")
    reconciles = 0
    for split in (None, 80):
        for index in range(n):
            world.apply(service(index, split=split))
        reconciles += world.settle().reconciles
    return reconciles, world.count_by_kind()


def test_the_second_generation_carries_on_from_the_first() -> None:
    # A running controller continues from where it was: no relist of every
    # object, fewer reconciles, and the same world at the end.
    world = World("istio")
    reconciles = scale.pipeline(world, None, N)
    relisting, objects = _settled_from_scratch(N)
    assert reconciles < relisting
    assert world.count_by_kind() == objects
    assert world.ready_services() == N


@pytest.mark.parametrize("backend", ["istio", "envoy"])
def test_one_change_costs_the_same_at_every_size(backend: str) -> None:
    small, large = scale.run(backend, 2), scale.run(backend, 8)
    for key in ("translations", "writes", "writes_by_kind"):
        assert small["incremental"][key] == large["incremental"][key]


def test_envoy_update_is_served_by_a_real_envoy() -> None:
    result = envoy_update.run(3, 2)
    assert result["changes"] == 2
    for phase in ("controllers", "envoy_accepted", "served"):
        assert _is_latency(result[phase])
    assert result["served"]["p50_ms"] >= result["controllers"]["p50_ms"]


def test_cold_start_brings_every_route_back_ready_both_ways() -> None:
    result = cold_start.run(3, manager=True, timeout=60)
    assert result["routes"] == 3
    assert result["offline"]["ready_routes"] == 3
    assert result["offline"]["writes"] == 0
    manager = result["manager"]
    assert manager["ready_routes"] == 3
    assert manager["writes"] == 0  # the API server's own setup is not counted
    assert not manager["timed_out"]
    assert manager["reconciles"] >= manager["keys"]
    # The API server ran in a process of its own, measured apart.
    assert manager["server_cpu_seconds"] >= 0
    assert manager["server_peak_rss_bytes"] > 0


def test_cold_start_can_measure_the_manager_alone() -> None:
    result = cold_start.run(2, manager=True, offline=False, timeout=60)
    assert "offline" not in result
    assert result["routes"] == 2
    assert result["manager"]["ready_routes"] == 2


def test_the_server_process_reports_what_it_serves() -> None:
    with cold_start.served(2, "istio") as server:
        counts = server.wait_ready()
        api = KubeCluster(load_api_client(str(server.kubeconfig)))
        for kind in (access.SERVICE, access.ROUTE, CLUSTER_INGRESS):
            assert counts[str(kind)] == len(api.list_kind(kind)[0]) > 0
        assert counts[str(access.ROUTE)] == 2


def test_a_server_process_that_cannot_serve_is_reported_not_waited_for(tmp_path: Path) -> None:
    # Its kubeconfig cannot be written (its directory is a file): the process ends instead.
    (tmp_path / "file").write_text("")
    server = cold_start.Served(2, "istio", tmp_path / "file")
    try:
        with pytest.raises(RuntimeError, match="ended before serving"):
            server.wait_ready()
    finally:
        server.stop()


def test_time_to_ready_serves_every_created_service() -> None:
    result = time_to_ready.run(0.3)
    assert result["created"] >= 1
    assert result["served"] == result["created"]
    assert _is_latency(result)


def test_data_plane_loads_both_paths() -> None:
    result = data_plane.run(2, 0.3)
    for path in ("direct", "envoy"):
        assert result[path]["requests"] > 0
        assert result[path]["errors"] == 0
        assert _is_latency(result[path])


def test_worker_reports_peak_rss() -> None:
    result = worker.measure("scale", {"backend": "istio", "n": 2})
    assert result["peak_rss_bytes"] > 0
    peaks = result["peak_rss_by_phase"]
    assert set(peaks) == {"pipeline", "floor", "translation", "incremental"}
    # The kernel's high-water mark and its current count are kept apart and
    # can differ by a few pages.
    assert 0 < min(peaks.values()) <= max(peaks.values()) <= 1.01 * result["peak_rss_bytes"]


def test_phase_peaks_attribute_memory_to_the_phase_holding_it() -> None:
    with scale.PhasePeaks(interval=0.01) as memory:
        with memory.phase("small"):
            pass
        with memory.phase("large"):
            block = b"x" * (64 * 2**20)
        del block
        unattributed = b"y" * (64 * 2**20)
        del unattributed
    assert set(memory.peaks) == {"small", "large"}
    assert memory.peaks["large"] >= memory.peaks["small"] + 48 * 2**20


def test_the_runner_prints_a_table_and_writes_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "results.json"
    assert cli.main(["--quick", "--only", "data-plane", "--json", str(out)]) == 0
    document: dict[str, Any] = json.loads(out.read_text())
    assert {
        "cpu_model",
        "cores",
        "memory_bytes",
        "python",
        "kingress_version",
        "git_commit",
    } <= set(document["machine"])
    assert [run["scenario"] for run in document["runs"]] == ["data-plane"]
    assert "direct: req/s" in capsys.readouterr().out


def test_targets_fail_a_run_without_a_result() -> None:
    runs = [
        {
            "scenario": "scale",
            "params": {"backend": "istio", "n": 10_000},
            "result": {"error": "x"},
        },
        {"scenario": "cold-start", "params": {"n": 10_000}, "result": {"error": "x"}},
    ]
    rows = evaluate(runs)
    assert [row.passed for row in rows] == [False, False]
    assert "MISS" in table(rows)


def test_translation_in_chunks_covers_every_ingress_once(monkeypatch: pytest.MonkeyPatch) -> None:
    world = World("istio")
    for index in range(N):
        world.apply(service(index))
    world.settle()
    whole = scale.translation(world)
    monkeypatch.setattr(scale, "TRANSLATION_CHUNK", 2)
    chunked = scale.translation(world)
    assert (chunked["ingresses"], chunked["objects"], chunked["refused"]) == (
        whole["ingresses"],
        whole["objects"],
        whole["refused"],
    )
    assert chunked["objects"] > N
