"""A Route with an invalid traffic block is rejected at admission with Knative's exact
message, so nothing is stored and the Route controller has nothing to write."""

from __future__ import annotations

from typing import Any

import pytest

from kingress.api.fielderrors import ValidationError
from kingress.api.kinds import default_scheme
from kingress.cluster.memory import MemoryCluster
from kingress.cluster.port import Object
from kingress.route.reconciler import CLUSTER_INGRESS, ROUTE
from tests.api.serving_fixtures import DNS1035, NAME_PART
from tests.route.builders import NS, World, configuration, latest_ready, seed


def bad_route(*traffic: dict[str, Any]) -> Object:
    return {
        "apiVersion": "serving.knative.dev/v1",
        "kind": "Route",
        "metadata": {"name": "r", "namespace": NS},
        "spec": {"traffic": list(traffic)},
    }


def submit(store: MemoryCluster, obj: Object) -> None:
    """What the embedded API does with a write: admit, then store."""
    store.create(default_scheme().admit(obj))


@pytest.mark.parametrize(
    ("traffic", "want"),
    [
        pytest.param(
            [{"configurationName": "c", "percent": 90}],
            "Traffic targets sum to 90, want 100: spec.traffic",
            id="sum",
        ),
        pytest.param(
            [{"configurationName": "c"}],
            "Traffic targets sum to 0, want 100: spec.traffic",
            id="unset-percent-counts-as-zero",
        ),
        pytest.param(
            [{"configurationName": "c", "revisionName": "c-1", "percent": 100}],
            "expected exactly one, got both: spec.traffic[0].configurationName, "
            "spec.traffic[0].revisionName",
            id="both",
        ),
        pytest.param(
            [{"percent": 100}],
            "expected exactly one, got neither: spec.traffic[0].configurationName, "
            "spec.traffic[0].revisionName",
            id="neither",
        ),
        pytest.param(
            [{"configurationName": "c", "percent": 101}],
            "Traffic targets sum to 101, want 100: spec.traffic\n"
            "expected 0 <= 101 <= 100: spec.traffic[0].percent",
            id="percent-out-of-bounds",
        ),
        pytest.param(
            [{"revisionName": "bar", "latestRevision": True, "percent": 100}],
            'may not set revisionName "bar" when latestRevision is true: '
            "spec.traffic[0].latestRevision",
            id="pinned-and-latest",
        ),
        pytest.param(
            [{"configurationName": "c", "latestRevision": False, "percent": 100}],
            'may not set revisionName "" when latestRevision is false: '
            "spec.traffic[0].latestRevision",
            id="neither-pinned-nor-latest",
        ),
        pytest.param(
            [
                {"tag": "foo", "revisionName": "c-1", "percent": 50},
                {"tag": "foo", "revisionName": "c-2", "percent": 50},
            ],
            'Multiple definitions for "foo": spec.traffic[0].tag, spec.traffic[1].tag',
            id="duplicate-tag",
        ),
        pytest.param(
            [{"tag": "Foo", "configurationName": "c", "percent": 100}],
            f"invalid value: not a DNS 1035 label: [{DNS1035}]: spec.traffic.tag[0]",
            id="tag-not-dns-1035",
        ),
        pytest.param(
            [{"revisionName": "b ar", "percent": 100}],
            f'invalid key name "b ar": spec.traffic[0].revisionName\n{NAME_PART}',
            id="bad-revision-name",
        ),
        pytest.param(
            [{"configurationName": "c", "percent": 100, "url": "http://x.example.com"}],
            "must not set the field(s): spec.traffic[0].url",
            id="url-in-spec",
        ),
    ],
)
def test_bad_traffic_is_rejected_with_knatives_message_and_nothing_is_written(
    traffic: list[dict[str, Any]], want: str
) -> None:
    world = World()
    seed(world.store, [configuration(NS, "c", latest_ready("c-1"))])
    with pytest.raises(ValidationError) as caught:
        submit(world.store, bad_route(*traffic))
    assert str(caught.value) == want
    assert world.store.list(ROUTE) == []
    world.reconcile()
    assert world.writes() == []
    assert world.store.list(CLUSTER_INGRESS) == []


def test_a_valid_route_is_admitted_defaulted_and_reconciled() -> None:
    world = World()
    submit(world.store, bad_route({"configurationName": "c", "percent": 100}))
    stored = world.store.get(ROUTE, NS, "r")
    assert stored["spec"]["traffic"][0]["latestRevision"] is True
    world.reconcile()
    assert world.writes() == [("update_status", "Route", "r")]
