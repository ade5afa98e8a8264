"""``kingress controller``'s ClusterIngress flags reach the reconcilers it runs.

The flags are parsed by the real command line, turned into ``Options`` by
``kingress.cli.controller.options`` and handed to ``all_reconcilers``; the
resulting ClusterIngress controller then settles a Contour ingress whose
certificate lives in another namespace over the in-memory store.
"""

from __future__ import annotations

import argparse
import gc
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from kingress.cli import controller as controller_cli
from kingress.cli.errors import CliError
from kingress.cli.main import build_parser, main
from kingress.cluster.memory import MemoryCluster
from kingress.cluster.port import Kind
from kingress.controller.clock import FakeClock
from kingress.controller.ingress import CLUSTER_INGRESS, IngressReconciler, IngressSettings
from kingress.controller.registry import all_reconcilers
from kingress.controller.settle import settle
from kingress.ingress.guard import DEFAULT_DEADLINE
from kingress.plugin.manager import build_registry
from kingress.testing import ingress, path, rule, split, tls

DELEGATION = Kind("projectcontour.io", "TLSCertificateDelegation")


def parse(*flags: str) -> argparse.Namespace:
    return build_parser().parse_args(["controller", *flags])


def ingress_reconciler(args: argparse.Namespace) -> IngressReconciler:
    found = [r for r in all_reconcilers(controller_cli.options(args)) if r.name == "clusteringress"]
    assert len(found) == 1 and isinstance(found[0], IngressReconciler)
    return found[0]


@pytest.mark.parametrize(
    ("flags", "env", "settings", "deadline"),
    [
        pytest.param((), {}, IngressSettings(), DEFAULT_DEADLINE, id="defaults"),
        pytest.param(
            (), {"SYSTEM_NAMESPACE": "serving"}, IngressSettings(system_namespace="serving"),
            DEFAULT_DEADLINE, id="system-namespace-from-env",
        ),
        pytest.param(
            (
                "--system-namespace=kn", "--cluster-domain=corp.internal",
                "--shared-secret-namespace=certs", "--shared-secret-namespace=wildcards",
                "--backend-timeout=2.5",
            ),
            {"SYSTEM_NAMESPACE": "serving"},
            IngressSettings(
                system_namespace="kn",
                cluster_domain="corp.internal",
                shared_secret_namespaces=frozenset({"certs", "wildcards"}),
            ),
            2.5,
            id="every-flag",
        ),
    ],
)  # fmt: skip
def test_flags_become_the_ingress_controllers_settings(
    monkeypatch: pytest.MonkeyPatch,
    flags: tuple[str, ...],
    env: dict[str, str],
    settings: IngressSettings,
    deadline: float,
) -> None:
    monkeypatch.delenv("SYSTEM_NAMESPACE", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    reconciler = ingress_reconciler(parse(*flags))
    assert reconciler.settings == settings
    assert reconciler.guard.deadline == deadline


@pytest.mark.parametrize("value", ["0", "-1", "soon"])
def test_a_backend_timeout_that_is_not_positive_is_refused(
    value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        parse(f"--backend-timeout={value}")
    assert exit_info.value.code == 2
    assert "--backend-timeout: " in capsys.readouterr().err


def hello() -> dict[str, Any]:
    """``team/hello`` on Contour, its certificate in the ``certs`` namespace."""
    obj = ingress(
        "hello",
        namespace="team",
        rules=[rule(["hello.example.com"], paths=[path(splits=[split("app", namespace="team")])])],
        tls_entries=[tls(["hello.example.com"], "wildcard", "certs")],
        ingress_class="contour",
    ).to_dict()
    obj["metadata"].pop("uid")
    return obj


@pytest.mark.parametrize(
    ("flags", "delegated", "configured"),
    [
        pytest.param(("--shared-secret-namespace=certs",), 1, "True", id="shared"),
        pytest.param((), 0, "False", id="not-shared"),
    ],
)
def test_shared_secret_namespaces_decide_cross_namespace_objects(
    flags: tuple[str, ...], delegated: int, configured: str
) -> None:
    clock = FakeClock()
    store = MemoryCluster(clock=clock.now)
    store.create(hello())
    reconciler = ingress_reconciler(parse(*flags))
    assert settle(store, [reconciler], clock).transient_errors == []
    assert len(store.list(DELEGATION, "certs")) == delegated
    conditions = store.get(CLUSTER_INGRESS, "team", "hello")["status"]["conditions"]
    assert {c["type"]: c["status"] for c in conditions}["NetworkConfigured"] == configured


@pytest.mark.parametrize(
    ("names", "kinds"),
    [
        pytest.param((), set(), id="none"),
        pytest.param(
            ("istio",),
            {"networking.istio.io/VirtualService", "networking.istio.io/Gateway"},
            id="istio",
        ),
        pytest.param(
            ("contour", "envoy"),
            {
                "projectcontour.io/HTTPProxy",
                "projectcontour.io/TLSCertificateDelegation",
                "gateway.kingress.dev/EnvoyIngressConfig",
            },
            id="two",
        ),
    ],
)
def test_cache_backend_names_the_kinds_its_backend_creates(
    names: tuple[str, ...], kinds: set[str]
) -> None:
    cached = controller_cli.cached_kinds(build_registry(), names)
    assert {f"{kind.group}/{kind.kind}" for kind in cached} == kinds


def test_cache_backend_refuses_a_backend_that_is_not_installed() -> None:
    with pytest.raises(CliError, match=r"--cache-backend: no installed backend named nope"):
        controller_cli.cached_kinds(build_registry(), ["istio", "nope"])


@pytest.fixture
def process_settings() -> Iterator[None]:
    """Put back what the command sets for the whole process: kingress's log handler, gc.

    Its handler writes to the ``sys.stderr`` of the moment, which pytest
    closes after the test; a later test's threads logging through it would
    hit a closed stream.
    """
    logger = logging.getLogger("kingress")
    handlers, level, propagate = logger.handlers[:], logger.level, logger.propagate
    thresholds = gc.get_threshold()
    yield
    logger.handlers[:] = handlers
    logger.setLevel(level)
    logger.propagate = propagate
    gc.set_threshold(*thresholds)


@pytest.mark.usefixtures("process_settings")
def test_the_command_refuses_an_unknown_cache_backend_before_connecting(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["controller", "--cache-backend=nope", "--kubeconfig=/nonexistent"]) != 0
    err = capsys.readouterr().err
    assert "--cache-backend: no installed backend named nope" in err
    assert "Traceback" not in err
