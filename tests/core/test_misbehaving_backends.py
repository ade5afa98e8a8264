"""Misbehaving backends are contained: each fails its own ingress, nothing else changes.

One settle run over a world holding other tenants' objects, a well-behaved
ingress already serving, and one ingress per kind of misbehaviour — raising
(even ``SystemExit``), returning garbage, objects in another namespace, for
another owner or ingress, over an object it does not own, NaN, hostile dict
subclasses, metadata a backend may not set, unbounded messages, hanging in
``translate`` or in ``check_ready``. Every bad ingress ends with its own
reason, the good ones are served, no reconcile raises, and every object that
existed before is byte-for-byte what it was.

Backends here are small real classes; hanging ones wait on an event released
when the test ends, and the guard's deadline is short.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest

import kingress
from kingress.backends import BackendRegistry
from kingress.cluster.memory import MemoryCluster
from kingress.cluster.port import Kind, ObjectRef
from kingress.controller.clock import FakeClock
from kingress.controller.ingress import CLUSTER_INGRESS, CallGuard, IngressReconciler
from kingress.controller.reconciler import Context
from kingress.controller.settle import settle
from kingress.ingress.messages import MAX_MESSAGE
from kingress.testing import ingress, path, rule, split

Object = dict[str, Any]
Produce = Callable[[kingress.ClusterIngress], Any]
CLOCK = FakeClock()
RELEASE = threading.Event()
#: How long a "hanging" call really waits: far past every deadline here, yet
#: finite, so without the guard these tests fail instead of hanging forever.
HANG = 20.0


def config_map(name: str, namespace: str, **metadata: Any) -> Object:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": namespace, **metadata},
        "data": {"owner": f"{namespace}/{name}"},
    }


def good(ing: kingress.ClusterIngress) -> kingress.Translation:
    return kingress.Translation(objects=(config_map(f"{ing.metadata.name}-routes", "team"),))


def raising(error: BaseException) -> Produce:
    def produce(ing: kingress.ClusterIngress) -> Any:
        raise error

    return produce


def returning(*objects: Any) -> Produce:
    def produce(ing: kingress.ClusterIngress) -> Any:
        return kingress.Translation(objects=objects)

    return produce


def hang(ing: kingress.ClusterIngress) -> Any:
    RELEASE.wait(HANG)
    return good(ing)


class Exploding(dict[str, Any]):
    """A dict whose items cannot even be listed."""

    def items(self) -> Any:
        raise RuntimeError("boom")


class Sneaky(dict[str, Any]):
    """A valid value that cannot be copied the way the store copies objects."""

    def __deepcopy__(self, memo: dict[int, Any]) -> Any:
        raise RuntimeError("no copies")


class Unprintable(Exception):
    def __str__(self) -> str:
        raise ValueError("no")


@dataclass
class Bad:
    """A backend whose ``translate`` and ``check_ready`` are the functions given."""

    name: str
    produce: Produce = good
    verdict: Callable[[], Any] = kingress.Readiness.serving
    features: frozenset[kingress.Feature] = frozenset()
    ingress_classes: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        self.ingress_classes = frozenset({f"{self.name}.ingress.networking.knative.dev"})

    def translate(
        self, ingress: kingress.ClusterIngress, context: kingress.TranslateContext
    ) -> kingress.Translation:
        result: kingress.Translation = self.produce(ingress)
        return result

    def check_ready(
        self, ingress: kingress.ClusterIngress, applied: Sequence[Object]
    ) -> kingress.Readiness:
        result: kingress.Readiness = self.verdict()
        return result


def hang_ready() -> Any:
    RELEASE.wait(HANG)
    return kingress.Readiness.serving()


#: (backend, the ingress's Ready reason, text its message contains).
CASES: list[tuple[Bad, str, str]] = [
    (
        Bad("raises", raising(RuntimeError("boom"))),
        "TranslationFailed",
        "raised RuntimeError: boom",
    ),
    (Bad("exits", raising(SystemExit(3))), "TranslationFailed", "raised SystemExit: 3"),
    (
        Bad("interrupts", raising(KeyboardInterrupt())),
        "TranslationFailed",
        "raised KeyboardInterrupt",
    ),
    (Bad("unprintable", raising(Unprintable())), "TranslationFailed", "<unprintable Unprintable>"),
    (Bad("garbage", lambda ing: None), "TranslationFailed", "returned a NoneType"),
    (
        Bad("elsewhere", returning(config_map("secrets", "other-tenant"))),
        "TranslationFailed",
        "metadata.namespace is 'other-tenant'",
    ),
    (
        Bad("adopts", returning(config_map("x", "team", ownerReferences=[{"uid": "u"}]))),
        "TranslationFailed",
        "carries a foreign owner reference",
    ),
    (
        Bad("impostor", returning(config_map("x", "team", labels={kingress.INGRESS_LABEL: "a"}))),
        "TranslationFailed",
        "is 'a', not 'impostor'",
    ),
    (
        Bad("finalizes", returning(config_map("x", "team", finalizers=["never/goes"]))),
        "TranslationFailed",
        "metadata.finalizers is not for a backend to set",
    ),
    (
        Bad("takes", returning(config_map("tenant-config", "team"))),
        "NotOwned",
        'There is an existing ConfigMap "tenant-config" that we do not own.',
    ),
    (
        Bad("nan", returning({**config_map("x", "team"), "spec": {"weight": math.nan}})),
        "TranslationFailed",
        "is not JSON-serialisable: Out of range float values",
    ),
    (
        Bad("exploding", returning(Exploding(config_map("x", "team")))),
        "TranslationFailed",
        "could not be checked: RuntimeError: boom",
    ),
    (
        Bad("verbose", raising(kingress.TranslationError("x" * 10**6, "not a\nreason"))),
        "TranslationFailed",
        "xxx...",
    ),
    (Bad("hangs", hang), "TranslationTimeout", "backend hangs: "),
    # ReadinessCheckTimeout first; its own status write reconciles it again, and
    # with its one allowed hung call still running every call is then refused:
    # the translation (unchanged inputs) is the last one, check_ready is refused.
    (Bad("stalls", verdict=hang_ready), "ReadinessCheckTimeout", "check_ready is not called until"),
    (Bad("lies", verdict=lambda: "ready"), "ReadinessCheckFailed", "returned a str"),
]


@pytest.fixture
def release() -> Iterator[None]:
    RELEASE.clear()
    yield
    RELEASE.set()


def hello(name: str, ingress_class: str) -> Object:
    obj = ingress(
        name,
        namespace="team",
        rules=[
            rule([f"{name}.example.com"], paths=[path(splits=[split("app", namespace="team")])])
        ],
        ingress_class=ingress_class,
    ).to_dict()
    obj["metadata"].pop("uid")
    return obj


def snapshot(store: MemoryCluster) -> dict[ObjectRef, str]:
    """Every stored object, serialised byte for byte."""
    return {
        ObjectRef.of(obj): json.dumps(obj, sort_keys=True)
        for kind in store.kinds()
        for obj in store.list(kind)
    }


def ready(store: MemoryCluster, name: str) -> tuple[str, str | None, str]:
    status = store.get(CLUSTER_INGRESS, "team", name)["status"]
    found = next(c for c in status["conditions"] if c["type"] == "Ready")
    return found["status"], found.get("reason"), found.get("message", "")


@pytest.mark.usefixtures("release")
def test_every_misbehaving_backend_fails_only_its_own_ingress() -> None:
    registry = BackendRegistry()
    registry.add(Bad("fine"), distribution="tests")
    sneaky = config_map("sneaky-routes", "team")
    sneaky["data"] = Sneaky(sneaky["data"])
    registry.add(Bad("sneaky", returning(sneaky)), distribution="tests")
    for backend, _, _ in CASES:
        registry.add(backend, distribution="tests")
    store = MemoryCluster(clock=CLOCK.now)
    for obj in (
        config_map("tenant-config", "team"),
        config_map("secrets", "other-tenant"),
        hello("served", "fine"),
    ):
        store.create(obj)
    reconciler = IngressReconciler(registry, guard=CallGuard(deadline=0.5, max_overdue=1))
    settle(store, [reconciler], CLOCK)
    assert ready(store, "served")[0] == "True"
    before = snapshot(store)

    for backend, _, _ in CASES:
        store.create(hello(backend.name, backend.name))
    store.create(hello("also-served", "fine"))
    store.create(hello("sneaky", "sneaky"))
    report = settle(store, [reconciler], CLOCK)

    assert report.transient_errors == []
    for backend, reason, text in CASES:
        status, got, message = ready(store, backend.name)
        assert (status, got) == ("False", reason), backend.name
        assert text in message, backend.name
        assert len(message) <= MAX_MESSAGE, backend.name
    assert ready(store, "also-served")[0] == ready(store, "sneaky")[0] == "True"
    after = snapshot(store)
    assert {ref: after.get(ref) for ref in before} == before
    made = {ref for ref in after if ref.kind != CLUSTER_INGRESS} - set(before)
    assert made == {
        ObjectRef(Kind("", "ConfigMap"), "team", name)
        for name in ("also-served-routes", "sneaky-routes", "stalls-routes", "lies-routes")
    }


@pytest.mark.usefixtures("release")
def test_a_backend_that_always_hangs_holds_a_bounded_number_of_threads() -> None:
    registry = BackendRegistry()
    registry.add(Bad("stuck", hang), distribution="tests")
    store = MemoryCluster(clock=CLOCK.now)
    for index in range(6):
        store.create(hello(f"h{index}", "stuck"))
    guard = CallGuard(deadline=0.2, max_overdue=2)
    settle(store, [IngressReconciler(registry, guard=guard)], CLOCK)
    workers = [t for t in threading.enumerate() if t.name == "kingress-stuck-translate"]
    assert len(workers) == 2
    assert guard.overdue("stuck") == 2
    messages = [ready(store, f"h{index}")[2] for index in range(6)]
    assert sum("did not return within" in m for m in messages) <= 2
    assert sum("not called until one returns" in m for m in messages) >= 4


@pytest.mark.usefixtures("release")
def test_a_hung_readiness_check_is_reported_on_its_ingress() -> None:
    registry = BackendRegistry()
    registry.add(Bad("stalls", verdict=hang_ready), distribution="tests")
    store = MemoryCluster(clock=CLOCK.now)
    store.create(hello("slow", "stalls"))
    reconciler = IngressReconciler(registry, guard=CallGuard(deadline=0.2))
    result = reconciler.reconcile(Context(store, CLOCK), ObjectRef(CLUSTER_INGRESS, "team", "slow"))
    assert ready(store, "slow") == (
        "False",
        "ReadinessCheckTimeout",
        "backend stalls: check_ready did not return within 0.2s",
    )
    assert result.requeue_after is not None
