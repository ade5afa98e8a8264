"""The readiness probe contract, inserted by the core so every backend honours it.

``compute_hash`` fingerprints an ingress (its spec, namespace and name).
``insert_probe`` prepends, to every rule, a copy of each path that also
requires ``K-Network-Hash: override`` and sets ``K-Network-Hash: <hash>`` on the
request. A prober sending ``K-Network-Probe: probe`` and
``K-Network-Hash: override`` gets the hash echoed back by the upstream once the
gateway serves this exact version of the ingress.
"""

from __future__ import annotations

import hashlib
import json

from kingress.api.ingress import ClusterIngress, HeaderMatch, HTTPIngressPath, IngressRule
from kingress.headers import HASH_HEADER, HASH_OVERRIDE


def compute_hash(ingress: ClusterIngress) -> str:
    """Hex SHA-256 of the spec (canonical JSON), namespace and name."""
    spec = json.dumps(ingress.spec.to_dict(), sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256()
    digest.update(spec.encode())
    digest.update((ingress.metadata.namespace or "").encode())
    digest.update(ingress.metadata.name.encode())
    return digest.hexdigest()


def _probe_path(path: HTTPIngressPath, hash_: str) -> HTTPIngressPath:
    return path.model_copy(
        update={
            "headers": {**path.headers, HASH_HEADER: HeaderMatch(exact=HASH_OVERRIDE)},
            "append_headers": {**path.append_headers, HASH_HEADER: hash_},
        }
    )


def _with_probe(rule: IngressRule, hash_: str) -> IngressRule:
    if rule.http is None:
        return rule
    probes = tuple(_probe_path(path, hash_) for path in rule.http.paths)
    http = rule.http.model_copy(update={"paths": probes + rule.http.paths})
    return rule.model_copy(update={"http": http})


def insert_probe(ingress: ClusterIngress) -> tuple[ClusterIngress, str]:
    """The ingress with probe paths added, and its hash (computed before adding them)."""
    hash_ = compute_hash(ingress)
    rules = tuple(_with_probe(rule, hash_) for rule in ingress.spec.rules)
    spec = ingress.spec.model_copy(update={"rules": rules})
    return ingress.model_copy(update={"spec": spec}), hash_
