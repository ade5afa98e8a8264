"""Objects a backend places outside the ingress's namespace: allowed narrowly, removed reliably.

The real Contour backend (its TLSCertificateDelegation lives in the secret's
namespace) and small real test backends run under the real ClusterIngress
reconciler over the in-memory store.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest

import kingress
from kingress.api.annotations import INGRESS_CLASS, INGRESS_LABEL, INGRESS_NAMESPACE_LABEL
from kingress.backends import BackendRegistry
from kingress.cluster.memory import MemoryCluster
from kingress.cluster.port import Kind
from kingress.controller.clock import FakeClock
from kingress.controller.ingress import (
    CLUSTER_INGRESS,
    FINALIZER,
    IngressReconciler,
    IngressSettings,
)
from kingress.controller.settle import settle
from kingress.frozen import thaw
from kingress.plugin.manager import build_registry
from kingress.testing import ingress, path, rule, split, tls

Object = dict[str, Any]
DELEGATION = Kind("projectcontour.io", "TLSCertificateDelegation")
HTTPPROXY = Kind("projectcontour.io", "HTTPProxy")
CONFIG_MAP = Kind("", "ConfigMap")
SHARED = IngressSettings(shared_secret_namespaces=frozenset({"certs"}))
CLOCK = FakeClock()


def hello(secret_namespace: str = "certs", ingress_class: str = "contour") -> Object:
    """``team/hello`` serving hello.example.com with a certificate from ``secret_namespace``."""
    obj = ingress(
        "hello",
        namespace="team",
        rules=[rule(["hello.example.com"], paths=[path(splits=[split("app", namespace="team")])])],
        tls_entries=[tls(["hello.example.com"], "wildcard", secret_namespace)],
        ingress_class=ingress_class,
    ).to_dict()
    obj["metadata"].pop("uid")
    return obj


def run(
    *objects: Object,
    settings: IngressSettings = SHARED,
    registry: BackendRegistry | None = None,
) -> tuple[MemoryCluster, IngressReconciler]:
    store = MemoryCluster(clock=CLOCK.now)
    for obj in objects:
        store.create(obj)
    reconciler = IngressReconciler(registry or build_registry(), settings=settings)
    again(store, reconciler)
    return store, reconciler


def again(store: MemoryCluster, reconciler: IngressReconciler) -> None:
    assert settle(store, [reconciler], CLOCK).transient_errors == []


def configured(store: MemoryCluster) -> tuple[str, str | None, str | None]:
    conditions = store.get(CLUSTER_INGRESS, "team", "hello")["status"]["conditions"]
    found = next(c for c in conditions if c["type"] == "NetworkConfigured")
    return found["status"], found.get("reason"), found.get("message")


def finalizers(store: MemoryCluster) -> list[str]:
    return list(store.get(CLUSTER_INGRESS, "team", "hello")["metadata"].get("finalizers") or ())


def test_a_delegation_goes_to_the_secrets_namespace_labelled_unowned_under_a_finalizer() -> None:
    store, _ = run(hello())
    assert configured(store) == ("True", None, None)
    [delegation] = store.list(DELEGATION)
    metadata = delegation["metadata"]
    assert metadata["namespace"] == "certs"
    assert metadata["labels"][INGRESS_LABEL] == "hello"
    assert metadata["labels"][INGRESS_NAMESPACE_LABEL] == "team"
    assert "ownerReferences" not in metadata
    assert delegation["spec"]["delegations"] == [
        {"secretName": "wildcard", "targetNamespaces": ["team"]}
    ]
    assert finalizers(store) == [FINALIZER]
    [proxy] = store.list(HTTPPROXY)
    assert proxy["metadata"]["ownerReferences"][0]["name"] == "hello"
    assert INGRESS_NAMESPACE_LABEL not in proxy["metadata"]["labels"]


def test_without_the_controllers_consent_nothing_leaves_the_namespace() -> None:
    store, _ = run(hello(), settings=IngressSettings())
    status, reason, message = configured(store)
    assert (status, reason) == ("False", "TranslationFailed")
    assert "metadata.namespace is 'certs', must be the ingress's namespace 'team'" in str(message)
    assert "IngressSettings.shared_secret_namespaces" in str(message)
    assert store.list(DELEGATION) == []
    assert store.list(HTTPPROXY) == []
    assert finalizers(store) == []


def test_an_unclaimed_class_gets_no_finalizer_even_with_a_foreign_secret() -> None:
    store, _ = run(hello(ingress_class="kourier"))
    assert finalizers(store) == []
    assert "status" not in store.get(CLUSTER_INGRESS, "team", "hello")


def test_a_delegation_no_longer_wanted_is_deleted_and_the_finalizer_removed() -> None:
    store, reconciler = run(hello())
    obj = thaw(store.get(CLUSTER_INGRESS, "team", "hello"))
    obj["spec"]["tls"][0]["secretNamespace"] = "team"
    store.update(obj)
    again(store, reconciler)
    assert configured(store) == ("True", None, None)
    assert store.list(DELEGATION) == []
    assert finalizers(store) == []


def test_deleting_the_ingress_removes_its_delegation_then_lets_it_go() -> None:
    store, reconciler = run(hello())
    store.delete(CLUSTER_INGRESS, "team", "hello")
    assert store.get(CLUSTER_INGRESS, "team", "hello")["metadata"]["deletionTimestamp"]
    again(store, reconciler)
    assert store.list(CLUSTER_INGRESS) == []
    assert store.list(DELEGATION) == []
    assert store.list(HTTPPROXY) == []


def test_a_class_kingress_does_not_serve_keeps_the_finalizer_until_deletion() -> None:
    store, reconciler = run(hello())
    obj = thaw(store.get(CLUSTER_INGRESS, "team", "hello"))
    obj["metadata"]["annotations"][INGRESS_CLASS] = "kourier"
    store.update(obj)
    again(store, reconciler)
    assert len(store.list(DELEGATION)) == 1
    store.delete(CLUSTER_INGRESS, "team", "hello")
    again(store, reconciler)
    assert store.list(CLUSTER_INGRESS) == []
    assert store.list(DELEGATION) == []


@dataclass
class Placing:
    """A test backend that puts one ConfigMap (a kind it declares) where it is told."""

    namespace: str
    name: str = "placing"
    ingress_classes: frozenset[str] = frozenset({"placing.ingress.networking.knative.dev"})
    features: frozenset[kingress.Feature] = frozenset()
    cross_namespace_kinds: frozenset[kingress.Kind] = field(
        default_factory=lambda: frozenset({CONFIG_MAP})
    )

    def translate(
        self, ingress: kingress.ClusterIngress, context: kingress.TranslateContext
    ) -> kingress.Translation:
        obj = {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "grant", "namespace": self.namespace},
            "data": {"for": f"{ingress.metadata.namespace}/{ingress.metadata.name}"},
        }
        return kingress.Translation(objects=(obj,))

    def check_ready(
        self, ingress: kingress.ClusterIngress, applied: Sequence[Object]
    ) -> kingress.Readiness:
        return kingress.Readiness.serving()


def placing(namespace: str, *, declared: bool = True) -> BackendRegistry:
    registry = BackendRegistry()
    backend = Placing(namespace)
    if not declared:
        backend.cross_namespace_kinds = frozenset()
    registry.add(backend, distribution="tests")
    return registry


@pytest.mark.parametrize(
    ("target", "declared", "problem"),
    [
        pytest.param("elsewhere", True, "metadata.namespace is 'elsewhere'", id="not-named-by-tls"),
        pytest.param("certs", False, "metadata.namespace is 'certs'", id="kind-not-declared"),
    ],
)
def test_an_object_elsewhere_needs_a_declared_kind_and_a_namespace_the_tls_names(
    target: str, declared: bool, problem: str
) -> None:
    store, _ = run(
        hello(ingress_class="placing"),
        settings=IngressSettings(shared_secret_namespaces=frozenset({"certs", "elsewhere"})),
        registry=placing(target, declared=declared),
    )
    status, reason, message = configured(store)
    assert (status, reason) == ("False", "TranslationFailed")
    assert problem in str(message)
    assert store.list(CONFIG_MAP) == []


def test_an_object_elsewhere_that_is_not_ours_is_never_touched() -> None:
    admins = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "grant", "namespace": "certs"},
        "data": {"owner": "the platform team"},
    }
    store, _ = run(admins, hello(ingress_class="placing"), registry=placing("certs"))
    assert configured(store) == (
        "False",
        "NotOwned",
        'There is an existing ConfigMap "grant" that we do not own.',
    )
    assert store.get(CONFIG_MAP, "certs", "grant")["data"] == {"owner": "the platform team"}


def test_an_object_in_the_own_namespace_may_not_pose_as_placed_elsewhere() -> None:
    @dataclass
    class Posing(Placing):
        def translate(
            self, ingress: kingress.ClusterIngress, context: kingress.TranslateContext
        ) -> kingress.Translation:
            [obj] = super().translate(ingress, context).objects
            obj["metadata"]["labels"] = {INGRESS_NAMESPACE_LABEL: "victim"}
            return kingress.Translation(objects=(obj,))

    registry = BackendRegistry()
    registry.add(Posing("team"), distribution="tests")
    store, _ = run(hello(ingress_class="placing"), registry=registry)
    status, reason, message = configured(store)
    assert (status, reason) == ("False", "TranslationFailed")
    assert f"label {INGRESS_NAMESPACE_LABEL} is 'victim', not 'team'" in str(message)
