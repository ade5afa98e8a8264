"""``translate`` is pure: same input, same output, whatever the input maps' order."""

from __future__ import annotations

import random
from collections.abc import Callable

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from kingress import ClusterIngress, TranslateContext, Translation, Visibility, insert_probe
from kingress.testing import ingress, path, rule, split, tls
from kingress_istio import IstioBackend

Translate = Callable[..., Translation]


def rich_ingress(order: list[int] | None = None) -> ClusterIngress:
    """An ingress using every feature; ``order`` permutes the insertion order of its maps."""
    pairs = [(f"X-Header-{i}", f"value-{i}") for i in range(6)]
    if order is not None:
        pairs = [pairs[i] for i in order]
    headers = dict(pairs)
    return ingress(
        rules=[
            rule(
                ["b.example.com", "a.example.com"],
                paths=[
                    path(splits=[split("a", 60, headers=headers), split("b", 40)]),
                    path("/api", match=headers, headers=headers, splits=[split("api")]),
                ],
            ),
            rule(
                ["x.default.svc.cluster.local"],
                visibility=Visibility.CLUSTER_LOCAL,
                paths=[path(rewrite_host="y.example.com", splits=[split("x", headers=headers)])],
            ),
        ],
        tls_entries=[tls(["a.example.com"], "cert", "istio-system")],
        http_option="Redirected",
    )


def rendered(translation: Translation) -> str:
    """The objects as YAML without re-sorting keys: map order counts too."""
    return yaml.safe_dump_all(translation.objects, sort_keys=False)


def test_translate_twice_gives_equal_output(translate: Translate) -> None:
    first, second = translate(rich_ingress(), probe=True), translate(rich_ingress(), probe=True)
    assert first == second
    assert rendered(first) == rendered(second)


def test_shuffled_map_order_gives_equal_output(translate: Translate) -> None:
    baseline = rendered(translate(rich_ingress(), probe=True))
    shuffler = random.Random(20240601)
    for _ in range(10):
        order = list(range(6))
        shuffler.shuffle(order)
        assert rendered(translate(rich_ingress(order), probe=True)) == baseline


def test_shuffled_config_order_gives_equal_output(translate: Translate) -> None:
    config = {
        "external-gateway": "edge/public",
        "external-gateway-selector": "b=2,a=1",
        "local-gateway": "edge/private",
    }
    reversed_config = dict(reversed(list(config.items())))
    assert rendered(translate(rich_ingress(), config=config)) == rendered(
        translate(rich_ingress(), config=reversed_config)
    )


def test_input_is_not_modified(translate: Translate) -> None:
    case = rich_ingress()
    before = case.model_dump()
    translate(case, probe=True)
    assert case.model_dump() == before


headers_strategy = st.dictionaries(
    st.from_regex(r"[A-Za-z][A-Za-z0-9-]{0,10}", fullmatch=True),
    st.text(alphabet="abcxyz019", max_size=5),
    max_size=4,
)
percents_strategy = st.lists(st.integers(0, 100), min_size=1, max_size=6).filter(any)


@settings(max_examples=60, deadline=None)
@given(
    headers=headers_strategy, percents=percents_strategy, prefix=st.sampled_from(["", "/", "/a"])
)
def test_routes_are_deterministic_and_weights_follow_percents(
    headers: dict[str, str], percents: list[int], prefix: str
) -> None:
    splits = [split(f"s{i}", p, headers=headers) for i, p in enumerate(percents)]
    case, _ = insert_probe(
        ingress(
            rules=[rule(["h.example.com"], paths=[path(prefix, headers=headers, splits=splits)])]
        )
    )
    backend = IstioBackend()
    # Header names that clash after lower-casing are an error, by design.
    if len({name.lower() for name in headers}) != len(headers):
        return
    first = backend.translate(case, TranslateContext())
    second = backend.translate(case, TranslateContext())
    assert rendered(first) == rendered(second)
    for route in first.objects[0]["spec"]["http"]:
        weights = [d["weight"] for d in route["route"]]
        assert weights == [p for p in percents if p > 0]
        assert route["retries"] == {"attempts": 0}
