"""``translate`` is a pure function: same input, same output, whatever the dict order."""

from __future__ import annotations

import random

from kingress import BackendService, ClusterIngress, HeaderMatch, ServicePort, Visibility
from kingress.testing import ingress, path, rule, split, tls

from .conftest import run_translate


def rich_ingress() -> ClusterIngress:
    return ingress(
        rules=[
            rule(
                ["b.example.com", "A.example.com", "c.example.com"],
                paths=[
                    path(
                        "/api",
                        splits=[
                            split("v1", 60, headers={"Z-Rev": "v1", "A-Rev": "x", "M": "m"}),
                            split("v2", 40, port=81, headers={"Z-Rev": "v2", "A-Rev": "y"}),
                        ],
                        match={"Zeta": "1", "alpha": "2", "Mu": "3", "zeta": "1"},
                        headers={"Z-Set": "1", "A-Set": "2", "M-Set": "3"},
                    ),
                    path(splits=[split("v1")], rewrite_host="internal.default.svc.cluster.local"),
                ],
            ),
            rule(
                ["hello.default.svc.cluster.local"],
                visibility=Visibility.CLUSTER_LOCAL,
                paths=[path(splits=[split("v1")])],
            ),
        ],
        tls_entries=[tls(["b.example.com", "a.example.com"], "cert", namespace="certs")],
        http_option="Redirected",
    )


def shuffled(ing: ClusterIngress, seed: int) -> ClusterIngress:
    """The same ingress with every mapping's insertion order shuffled."""
    rng = random.Random(seed)

    def shuffle(mapping: dict[str, object]) -> dict[str, object]:
        items = list(mapping.items())
        rng.shuffle(items)
        return dict(items)

    rules = []
    for r in ing.spec.rules:
        assert r.http is not None
        paths = []
        for p in r.http.paths:
            splits = tuple(
                s.model_copy(update={"append_headers": shuffle(dict(s.append_headers))})
                for s in p.splits
            )
            headers: dict[str, HeaderMatch] = shuffle(dict(p.headers))  # type: ignore[assignment]
            append: dict[str, str] = shuffle(dict(p.append_headers))  # type: ignore[assignment]
            paths.append(
                p.model_copy(
                    update={"splits": splits, "headers": headers, "append_headers": append}
                )
            )
        rules.append(
            r.model_copy(update={"http": r.http.model_copy(update={"paths": tuple(paths)})})
        )
    return ing.model_copy(update={"spec": ing.spec.model_copy(update={"rules": tuple(rules)})})


SERVICES = [
    BackendService(namespace="default", name="v2", ports=(ServicePort(name="h2c", port=81),))
]


def test_same_input_same_output() -> None:
    first = run_translate(rich_ingress(), services=SERVICES, probe=True)
    second = run_translate(rich_ingress(), services=SERVICES, probe=True)
    assert first == second


def test_mapping_order_does_not_matter() -> None:
    expected = run_translate(rich_ingress(), services=SERVICES)
    for seed in range(20):
        assert run_translate(shuffled(rich_ingress(), seed), services=SERVICES) == expected


def test_output_is_not_shared_between_proxies() -> None:
    translation = run_translate(rich_ingress(), services=SERVICES)
    proxies = [o for o in translation.objects if o["kind"] == "HTTPProxy"]
    proxies[0]["spec"]["routes"][0]["services"].clear()
    assert all(p["spec"]["routes"][0]["services"] for p in proxies[1:])
