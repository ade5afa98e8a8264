"""Assembly: every ingress's EnvoyIngressConfig (+ TLS Secrets) → one Envoy snapshot.

``assemble`` is pure and deterministic. It walks the configs oldest first
(creation time, then namespace/name), so when two ingresses claim the same
host (or the same TLS server name) on a listener the older one keeps it and the
newer one is left out entirely and reported (``Problem``, reason
``DomainConflict``), as Kourier does. An ingress whose TLS Secret is missing or
incomplete is left out too (``TLSSecretMissing``). The result holds the four
route configurations, the listener plans (which HTTPS filter chains with which
certificates) and the clusters, plus which probe hash of which ingress it
serves, and a version hash of the Envoy content.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kingress_envoy.names import API_VERSION, KIND, ListenerName, TLSListener, ingress_key

Object = dict[str, Any]


class SecretError(ValueError):
    """A Secret is not a usable TLS Secret; the message says why."""


@dataclass(frozen=True, slots=True)
class TLSSecret:
    """A certificate chain and its private key, both PEM."""

    cert_chain: str
    private_key: str

    @classmethod
    def from_secret(cls, obj: Mapping[str, Any]) -> TLSSecret:
        """Read a ``kubernetes.io/tls`` Secret (``data`` base64, or ``stringData``)."""
        string_data = obj.get("stringData") or {}
        data = obj.get("data") or {}
        values = {}
        for key in ("tls.crt", "tls.key"):
            if key in string_data:
                values[key] = str(string_data[key])
            elif key in data:
                try:
                    values[key] = base64.b64decode(str(data[key]), validate=True).decode()
                except (binascii.Error, UnicodeDecodeError) as error:
                    raise SecretError(f"data[{key!r}] is not base64 PEM: {error}") from None
            else:
                raise SecretError(f"has no {key!r}")
        return cls(values["tls.crt"], values["tls.key"])

    @property
    def digest(self) -> str:
        """A fingerprint of the key pair (for versions; never the content itself)."""
        return hashlib.sha256((self.cert_chain + "\0" + self.private_key).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class TLSChain:
    """One SNI filter chain of an HTTPS listener."""

    server_names: tuple[str, ...]
    secret: str
    tls: TLSSecret
    ingress: str


@dataclass(frozen=True, slots=True)
class ListenerPlan:
    """A listener the gateway must run: which one, and its TLS filter chains (HTTPS only)."""

    name: ListenerName
    chains: tuple[TLSChain, ...] = ()


@dataclass(frozen=True, slots=True)
class Problem:
    """An ingress left out of the snapshot, and why."""

    ingress: str
    hash: str
    reason: str
    message: str


@dataclass(frozen=True, slots=True, kw_only=True)
class EnvoySnapshot:
    """Everything Envoy serves, assembled from every ingress's fragments."""

    version: str
    listeners: tuple[ListenerPlan, ...]
    route_configs: tuple[Object, ...]
    clusters: tuple[Object, ...]
    #: ingress key (``namespace/name``) → the probe hash this snapshot serves for it.
    served: Mapping[str, str] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()

    def route_config(self, name: ListenerName) -> Object:
        """The route configuration of one listener."""
        return next(rc for rc in self.route_configs if rc["name"] == name.value)

    def listener(self, name: ListenerName) -> ListenerPlan | None:
        """The plan of one listener, if the snapshot has it."""
        return next((plan for plan in self.listeners if plan.name is name), None)

    def problem(self, key: str) -> Problem | None:
        """Why an ingress was left out, if it was."""
        return next((p for p in self.problems if p.ingress == key), None)


def empty_snapshot() -> EnvoySnapshot:
    """The snapshot of no ingress: HTTP listeners answering 404."""
    return assemble(())


@dataclass(frozen=True, slots=True)
class _Fragment:
    key: str
    hash: str
    order: tuple[int, str, str, str]
    virtual_hosts: Mapping[ListenerName, list[Object]]
    tls: list[Object]
    clusters: list[Object]


def config_identity(obj: Mapping[str, Any]) -> tuple[str, str, str]:
    """The ingress an EnvoyIngressConfig is for: (namespace, name, probe hash).

    ``spec.ingress`` names it, falling back to the object's own metadata.
    """
    meta = obj.get("metadata") or {}
    spec = obj.get("spec") or {}
    ref = spec.get("ingress") or {}
    namespace = str(ref.get("namespace") or meta.get("namespace") or "default")
    name = str(ref.get("name") or meta.get("name") or "")
    return namespace, name, str(spec.get("probeHash") or "")


def _fragment(obj: Mapping[str, Any]) -> _Fragment | Problem:
    meta = obj.get("metadata") or {}
    spec = obj.get("spec") or {}
    ref = spec.get("ingress") or {}
    namespace, name, hash_ = config_identity(obj)
    key = ingress_key(namespace, name)
    vhosts = spec.get("virtualHosts")
    if not name or not hash_ or not isinstance(vhosts, Mapping):
        return Problem(key, hash_, "InvalidConfig", f"{KIND} {key} has no usable spec")
    created = str(ref.get("creationTimestamp") or meta.get("creationTimestamp") or "")
    return _Fragment(
        key=key,
        hash=hash_,
        order=(0 if created else 1, created, namespace, name),
        virtual_hosts={ln: list(vhosts.get(ln.value) or []) for ln in ListenerName},
        tls=list(spec.get("tls") or []),
        clusters=list(spec.get("clusters") or []),
    )


def _claims(fragment: _Fragment) -> dict[ListenerName, set[str]]:
    """The domains (and TLS server names, prefixed ``sni:``) the fragment wants per listener."""
    claims: dict[ListenerName, set[str]] = {ln: set() for ln in ListenerName}
    for listener, vhosts in fragment.virtual_hosts.items():
        for vhost in vhosts:
            claims[listener].update(str(domain) for domain in vhost.get("domains", ()))
    for chain in fragment.tls:
        listener = TLSListener(chain["listener"]).listener
        claims[listener].update(f"sni:{n}" for n in chain.get("serverNames") or [""])
    return claims


def _chains(
    fragment: _Fragment, secrets: Mapping[str, TLSSecret]
) -> list[tuple[ListenerName, TLSChain]] | Problem:
    chains = []
    for chain in fragment.tls:
        ref = str(chain.get("secretRef", ""))
        secret = secrets.get(ref)
        if secret is None:
            return Problem(
                fragment.key, fragment.hash, "TLSSecretMissing", f"TLS Secret {ref} was not found"
            )
        names = tuple(str(n) for n in chain.get("serverNames") or ())
        listener = TLSListener(chain["listener"]).listener
        chains.append((listener, TLSChain(names, ref, secret, fragment.key)))
    return chains


def _version(
    listeners: Iterable[ListenerPlan], route_configs: Iterable[Object], clusters: Iterable[Object]
) -> str:
    content = {
        "listeners": [
            {
                "name": plan.name.value,
                "chains": [[list(c.server_names), c.secret, c.tls.digest] for c in plan.chains],
            }
            for plan in listeners
        ],
        "routes": list(route_configs),
        "clusters": list(clusters),
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def assemble(
    configs: Iterable[Mapping[str, Any]], secrets: Mapping[str, TLSSecret] | None = None
) -> EnvoySnapshot:
    """Merge EnvoyIngressConfigs (any other kind is ignored) into one snapshot. Pure."""
    secrets = secrets or {}
    problems: list[Problem] = []
    fragments: list[_Fragment] = []
    for obj in configs:
        if obj.get("kind") != KIND or obj.get("apiVersion") != API_VERSION:
            continue
        parsed = _fragment(obj)
        if isinstance(parsed, Problem):
            problems.append(parsed)
        else:
            fragments.append(parsed)
    fragments.sort(key=lambda f: f.order)

    owners: dict[ListenerName, dict[str, str]] = {ln: {} for ln in ListenerName}
    vhosts: dict[ListenerName, list[Object]] = {ln: [] for ln in ListenerName}
    chains: dict[ListenerName, list[TLSChain]] = {ln: [] for ln in ListenerName}
    clusters: dict[str, Object] = {}
    served: dict[str, str] = {}
    for fragment in fragments:
        if fragment.key in served:
            problems.append(
                Problem(
                    fragment.key,
                    fragment.hash,
                    "DuplicateConfig",
                    f"two configs for {fragment.key}",
                )
            )
            continue
        claims = _claims(fragment)
        clash = sorted(
            (claim, owners[ln][claim])
            for ln in ListenerName
            for claim in claims[ln] & owners[ln].keys()
        )
        if clash:
            claim, owner = clash[0]
            what = (
                f"TLS server name {claim[4:]!r}" if claim.startswith("sni:") else f"host {claim!r}"
            )
            problems.append(
                Problem(
                    fragment.key,
                    fragment.hash,
                    "DomainConflict",
                    f"Ingress rejected: {what} is already served by ingress {owner}",
                )
            )
            continue
        tls = _chains(fragment, secrets)
        if isinstance(tls, Problem):
            problems.append(tls)
            continue
        for ln in ListenerName:
            owners[ln].update(dict.fromkeys(claims[ln], fragment.key))
            vhosts[ln].extend(fragment.virtual_hosts[ln])
        for listener, chain in tls:
            chains[listener].append(chain)
        for cluster in fragment.clusters:
            clusters.setdefault(str(cluster["name"]), cluster)
        served[fragment.key] = fragment.hash

    route_configs = tuple(
        {"name": ln.value, "virtual_hosts": vhosts[ln], "validate_clusters": False}
        for ln in ListenerName
    )
    listeners = tuple(
        ListenerPlan(ln, tuple(sorted(chains[ln], key=lambda c: (c.server_names, c.secret))))
        for ln in ListenerName
        if not ln.is_tls or chains[ln]
    )
    cluster_list = tuple(clusters[name] for name in sorted(clusters))
    return EnvoySnapshot(
        version=_version(listeners, route_configs, cluster_list),
        listeners=listeners,
        route_configs=route_configs,
        clusters=cluster_list,
        served=dict(sorted(served.items())),
        problems=tuple(sorted(problems, key=lambda p: p.ingress)),
    )
