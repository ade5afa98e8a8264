"""The fault-injection mode of the embedded API: each fault does what it says, and only that."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request

import pytest
from tests.apiserver.test_abuse import CM, exchange, send, snapshot

from kingress.apiserver.faults import FaultPlan
from kingress.apiserver.server import ApiServer
from kingress.cluster.port import Kind


def _cm(name: str) -> bytes:
    return json.dumps({"metadata": {"name": name}, "data": {"a": "1"}}).encode()


def test_a_plan_is_parsed_and_checked() -> None:
    plan = FaultPlan.parse("seed=3, conflicts=0.5,lost-responses=0.1,watch-drops=1")
    assert plan == FaultPlan(seed=3, conflicts=0.5, lost_responses=0.1, watch_drops=1.0)
    for bad in ("bogus=1", "conflicts", "conflicts=x", "errors=1.5", "conflicts=0.6,errors=0.6"):
        with pytest.raises(ValueError):
            FaultPlan.parse(bad)


def test_refused_writes_store_nothing_and_reads_are_never_failed() -> None:
    with ApiServer(faults=FaultPlan(conflicts=1.0)) as server:
        before = snapshot(server.store)
        code, status = send(server, "POST", CM, _cm("refused"))
        assert (code, status["reason"]) == (409, "Conflict")
        assert "injected fault" in status["message"]
        assert snapshot(server.store) == before
        assert send(server, "GET", CM)[0] == 200
    with ApiServer(faults=FaultPlan(errors=1.0)) as server:
        assert send(server, "POST", CM, _cm("refused"))[0] == 500
        assert server.store.list(Kind("", "ConfigMap")) == []


def test_a_lost_answer_hides_a_write_that_was_made() -> None:
    with ApiServer(faults=FaultPlan(lost_responses=1.0)) as server:
        code, status = send(server, "POST", CM, _cm("made"))
        assert (code, status["code"]) == (500, 500)
        assert server.faults is not None and server.faults.injected["lost_responses"] == 1
        code, got = send(server, "GET", f"{CM}/made")
        assert (code, got["data"]) == (200, {"a": "1"})


def test_watches_are_cut_after_an_event_cleanly_or_not() -> None:
    with ApiServer(faults=FaultPlan(seed=1, watch_drops=1.0)) as server:
        for name in ("a", "b", "c"):
            server.store.create(
                {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}}
            )
        request = (
            f"GET {CM}?watch=1&resourceVersion=0 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        streams = [exchange(server, request.encode()) for _ in range(8)]
    # Each watch ends after its first event: with the last chunk (as a server-side
    # timeout ends it) or without (a connection dropped mid-stream).
    assert all(stream.count(b'"type":"ADDED"') == 1 for stream in streams)
    clean = [stream.endswith(b"\r\n0\r\n\r\n") for stream in streams]
    assert any(clean) and not all(clean), clean


def test_the_command_line_turns_it_on() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "kingress.cli.main", "apiserver", "--port", "0", "--faults",
         "seed=1,conflicts=1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip().rpartition(" ")[2]
        request = urllib.request.Request(
            f"{url}{CM}", data=_cm("x"), method="POST", headers={"Content-Type": "application/json"}
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=5)
        assert refused.value.code == 409
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=10)
    assert "injecting faults" in stderr
