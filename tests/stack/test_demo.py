"""``kingress demo`` end to end, as a user runs it: a subprocess, a real Envoy, real requests."""

from __future__ import annotations

import re
import signal
from pathlib import Path

from tests.stack.support import Running, descendants, requires_proc, wait_gone

pytestmark = requires_proc

SPLIT = re.compile(
    r"(\d+) requests to helloworld-go\.default\.example\.com → "
    r"Hello Go Sample v1!: (\d+), Hello Go Sample v2!: (\d+)"
)


def test_the_walk_through_runs_and_leaves_nothing(tmp_path: Path) -> None:
    with Running("demo", "--workdir", str(tmp_path), "--requests", "100") as demo:
        code = demo.finish()
    output = demo.output
    assert code == 0, output
    assert "Hello Go Sample v1!\n" in output
    assert "Hello Go Sample v2!\n" in output
    splits = SPLIT.findall(output)
    assert len(splits) == 2, output
    for total, first, second in splits:
        assert int(first) + int(second) == int(total) == 100
        assert int(first) > 0 and int(second) > 0
    candidate = output.split('Host: candidate-helloworld-go.default.example.com" ')[1]
    assert candidate.splitlines()[1].strip() == "Hello Go Sample v2!"
    assert "public_http   candidate-helloworld-go.default.example.com/ → 100%" in output
    wait_gone(demo.process.pid, tmp_path)


def test_keep_running_serves_until_ctrl_c_then_stops_everything(tmp_path: Path) -> None:
    with Running("demo", "--workdir", str(tmp_path), "--requests", "10", "--keep-running") as demo:
        demo.wait_for(r"serving until Ctrl-C")
        assert len(descendants(demo.process.pid, tmp_path)) == 3, "Envoy and two revisions"
        demo.process.send_signal(signal.SIGINT)
        assert demo.finish() == 0, demo.output
    wait_gone(demo.process.pid, tmp_path)


def test_a_class_without_a_local_gateway_is_refused(tmp_path: Path) -> None:
    with Running("demo", "--workdir", str(tmp_path), "--ingress-class", "istio") as demo:
        assert demo.finish() == 1
    assert "cannot run its gateway on this machine; backends that can: envoy" in demo.output
