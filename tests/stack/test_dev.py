"""``kingress dev`` with a real kubectl: apply the seed's HelloWorld, curl it via Envoy, delete."""

from __future__ import annotations

import http.client
import json
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.stack.support import Running, descendants, requires_proc, wait_gone

KUBECTL = shutil.which("kubectl", path=str(Path(sys.executable).parent)) or shutil.which("kubectl")
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
HOST = "helloworld-go.default.example.com"

pytestmark = [
    requires_proc,
    pytest.mark.skipif(KUBECTL is None, reason="kubectl not installed (dev extras)"),
]


class Dev:
    """A running ``kingress dev``, its kubeconfig and its gateway port."""

    def __init__(self, running: Running, kubeconfig: Path, port: int) -> None:
        self.running = running
        self.kubeconfig = kubeconfig
        self.port = port

    def kubectl(self, *args: str) -> str:
        assert KUBECTL is not None
        done = subprocess.run(
            [KUBECTL, "--kubeconfig", str(self.kubeconfig), *args],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert done.returncode == 0, f"kubectl {' '.join(args)}: {done.stderr}"
        return done.stdout + done.stderr

    def get(self, host: str) -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            connection.request("GET", "/", headers={"Host": host})
            response = connection.getresponse()
            return response.status, response.read().decode().strip()
        finally:
            connection.close()


def eventually(
    check: Callable[[], bool],
    what: str,
    details: Callable[[], str] = lambda: "",
    timeout: float = 30.0,
) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}\n{details()}")
        time.sleep(0.1)


@pytest.fixture
def dev(tmp_path: Path) -> Iterator[Dev]:
    kubeconfig = tmp_path / "kubeconfig"
    with Running(
        "dev", "--workdir", str(tmp_path / "work"), "--kubeconfig-out", str(kubeconfig)
    ) as running:
        found = running.wait_for(r"public http 127\.0\.0\.1:(\d+)")
        yield Dev(running, kubeconfig, int(found.group(1)))
        running.process.send_signal(signal.SIGTERM)
        code = running.finish()
    assert code == 0, running.output
    assert "kingress dev: stopping" in running.output
    wait_gone(running.process.pid, tmp_path / "work")


def test_kubectl_apply_curl_and_delete(dev: Dev, tmp_path: Path) -> None:
    assert str(dev.kubeconfig) in dev.running.output
    dev.kubectl("apply", "-f", str(EXAMPLES / "helloworld.yaml"))

    def ready() -> bool:
        service = json.loads(dev.kubectl("get", "ksvc", "helloworld-go", "-o", "json"))
        conditions = service.get("status", {}).get("conditions", [])
        return any(c["type"] == "Ready" and c["status"] == "True" for c in conditions)

    eventually(ready, "the Service to be Ready")
    table = dev.kubectl("get", "ksvc", "helloworld-go")
    assert f"http://{HOST}" in table
    assert "True" in table
    assert dev.get(HOST) == (200, "Hello Go Sample v1!")
    assert len(descendants(dev.running.process.pid, tmp_path / "work")) == 2, "Envoy, a revision"

    dev.kubectl("delete", "ksvc", "helloworld-go")
    left = (
        "revisions,deployments,services,clusteringresses,envoyingressconfigs,configurations,routes"
    )
    assert "No resources found" in dev.kubectl("get", left)
    eventually(lambda: dev.get(HOST)[0] == 404, "the route to stop being served")
    pid, work = dev.running.process.pid, tmp_path / "work"
    eventually(
        lambda: len(descendants(pid, work)) == 1,
        "the revision process to stop",
        lambda: "\n".join(descendants(pid, work)) + "\n" + dev.running.output,
    )
