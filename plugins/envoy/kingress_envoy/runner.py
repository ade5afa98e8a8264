"""The gateway runner: every EnvoyIngressConfig (and its TLS Secrets) served by one real Envoy.

A reconciler over ``EnvoyIngressConfig`` objects, run with the other
controllers (``settle`` offline, the controller manager live). Envoy takes one
whole snapshot, so whichever config a reconcile is called for, it syncs the
gateway with **all** of them:

1. the config the reconcile is for (and the Secrets it names) is compared
   with what the last sync saw of it — uid, generation, status, each named
   Secret's resourceVersion. Unchanged: nothing to do, at O(1). This is what
   coalesces a batch of changes: every changed config has its own key, the
   first of them syncs everything, the others find themselves already seen
   (status writes do not count as changes: the sync records the configs as it
   left them);
2. otherwise list every EnvoyIngressConfig and read the TLS Secrets their
   ``spec.tls`` names (tracked: a change to one of those Secrets re-triggers
   the configs naming it). Lists come sorted and stored objects frozen, so
   when no config came or went and none names a Secret, the list is
   compared with the last sync's place by place, and only the places
   holding another object are looked at;
3. assemble (an ``Assembler``: only configs changed since the last sync are
   parsed again, and the last snapshot is patched when the conflict decision
   stands) and ``EnvoyGateway.apply`` — unless the gateway already serves
   that snapshot version, or Envoy already refused that very version;
4. write each config's status from the ``ApplyResult`` (``servedHash`` or
   ``rejectedHash`` with reason and message), only where that changed: a new
   snapshot version alone rewrites nothing, so one ingress's change costs one
   status write, not one per ingress; after a place-by-place comparison only
   the changed configs and those with a problem (now or last time) are
   looked at. ``snapshotVersion`` records the snapshot that first served the
   hash;
5. a failure that may pass (Envoy not running, slow, restarting) forgets what
   was seen and asks to be looked at again after ``retry_after`` seconds.

Endpoints reach Envoy through translation: the ClusterIngress controller puts
the split Services' Endpoints into the ``TranslateContext``, tracks them, and
re-translates when they change, which changes the config's spec (its
clusters) and so brings it here.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any, Protocol

from kingress import Cluster, Context, Kind, NotFound, ObjectRef, Result, Tracker, Watch
from kingress_envoy.gateway import ApplyResult
from kingress_envoy.names import GROUP, KIND, ingress_key
from kingress_envoy.readiness import SNAPSHOT_VERSION
from kingress_envoy.snapshot import (
    Assembler,
    EnvoySnapshot,
    SecretError,
    TLSSecret,
    config_identity,
)

Object = dict[str, Any]

#: The kind the runner reconciles.
CONFIG_KIND = Kind(GROUP, KIND)
SECRET = Kind("", "Secret")

#: What a sync saw of one config: uid, generation, status, and its Secrets' versions.
Seen = tuple[str, str, str, tuple[tuple[str, str], ...]]


def secret_refs(config: Mapping[str, Any]) -> list[str]:
    """The ``namespace/name`` of every Secret a config's TLS entries name, sorted."""
    tls = (config.get("spec") or {}).get("tls") or ()
    return sorted({str(entry["secretRef"]) for entry in tls if entry.get("secretRef")})


def read_secrets(cluster: Cluster, refs: Iterable[str]) -> dict[str, Object | None]:
    """Each named Secret as stored, ``None`` when it does not exist."""
    found: dict[str, Object | None] = {}
    for ref in refs:
        namespace, _, name = ref.partition("/")
        try:
            found[ref] = cluster.get(SECRET, namespace, name)
        except NotFound:
            found[ref] = None
    return found


def tls_secrets(secrets: Mapping[str, Object | None]) -> dict[str, TLSSecret]:
    """The usable TLS Secrets; a missing or incomplete one is left out (``TLSSecretMissing``)."""
    usable = {}
    for ref, secret in secrets.items():
        if secret is None:
            continue
        try:
            usable[ref] = TLSSecret.from_secret(secret)
        except SecretError:
            continue
    return usable


def seen(config: Object, secrets: Mapping[str, Object | None]) -> Seen:
    """What a sync depends on of ``config`` (``secrets`` holds at least the ones it names)."""
    meta = config.get("metadata") or {}
    return (
        str(meta.get("uid") or ""),
        str(meta.get("generation") or ""),
        json.dumps(config.get("status") or {}, sort_keys=True),
        tuple(
            (ref, str(((secrets[ref] or {}).get("metadata") or {}).get("resourceVersion", "")))
            for ref in secret_refs(config)
        ),
    )


def _essential(status: Mapping[str, Any]) -> dict[str, Any]:
    """A status without the snapshot version (which changes with every snapshot)."""
    return {k: v for k, v in status.items() if k != SNAPSHOT_VERSION}


def status_update(config: Object, result: ApplyResult) -> dict[str, Any] | None:
    """The status to write into ``config`` after ``result``, or ``None`` if nothing changes."""
    namespace, name, hash_ = config_identity(config)
    wanted = result.status_for(ingress_key(namespace, name), hash_)
    current = config.get("status") or {}
    if not wanted or _essential(wanted) == _essential(current):
        return None
    return wanted


class Gateway(Protocol):
    """What the runner needs of a gateway (``EnvoyGateway``)."""

    @property
    def snapshot(self) -> EnvoySnapshot:
        """The last snapshot the gateway accepted."""
        ...

    @property
    def running(self) -> bool:
        """Whether the gateway serves now."""
        ...

    def apply(self, snapshot: EnvoySnapshot) -> ApplyResult:
        """Serve ``snapshot``; the outcome once accepted or refused."""
        ...


class GatewayRunner:
    """Keeps a running ``EnvoyGateway`` serving every EnvoyIngressConfig in the cluster.

    The caller starts and stops the gateway. Reconciles are serialised (one
    gateway, one sync at a time); a sync that may succeed later is retried
    after ``retry_after`` seconds.
    """

    name = "envoy-gateway"
    kind = CONFIG_KIND

    def __init__(self, gateway: Gateway, *, retry_after: float = 1.0) -> None:
        self.gateway = gateway
        self.retry_after = retry_after
        #: How many snapshots were assembled, and applied (or attempted): what a sync cost.
        self.assemblies = 0
        self.applies = 0
        self._lock = threading.Lock()
        self._tracker = Tracker()
        #: Each config as the last sync listed it (its Secrets are tracked as it names them).
        self._tracked: dict[ObjectRef, Object] = {}
        #: What ``seen`` gave for a config object naming no Secret (stored objects are
        #: frozen, so the same object gives the same), for the configs of the last sync.
        self._seen_of: dict[int, tuple[Object, Seen]] = {}
        #: The configs as the last sync left them (by identity), and its result.
        self._left: dict[int, Object] = {}
        self._last_result: ApplyResult | None = None
        #: Each config object of the last sync and its reference.
        self._listed: dict[int, tuple[Object, ObjectRef]] = {}
        #: Each config as the last complete sync left it (``None``: sync at the next look).
        self._seen: dict[ObjectRef, Seen] | None = None
        #: The last sync's configs place by place (the list order) as it left them (``None``:
        #: gone), their references and ingress keys, each key's place, and whether none of
        #: them named a Secret: with these a sync looks only at the places that changed.
        self._places: list[Object | None] = []
        self._refs: list[ObjectRef] = []
        self._keys: list[str] = []
        self._place_of: dict[str, int] = {}
        self._plain = False
        self._refused: ApplyResult | None = None
        self._assembler = Assembler()

    def watches(self) -> Sequence[Watch]:
        """TLS Secrets named by some config."""
        return (Watch(SECRET, self._tracker.mapper()),)

    def reconcile(self, ctx: Context, ref: ObjectRef) -> Result:
        """Sync the gateway with every config, unless ``ref`` is as the last sync left it."""
        with self._lock:
            if self._already_seen(ctx.cluster, ref):
                return Result()
            result = self._sync(ctx.cluster)
        return Result(requeue_after=self.retry_after) if result.retryable else Result()

    def sync(self, cluster: Cluster) -> ApplyResult:
        """Sync the gateway with every config now (what a reconcile does when one changed)."""
        with self._lock:
            return self._sync(cluster)

    def _already_seen(self, cluster: Cluster, ref: ObjectRef) -> bool:
        if self._seen is None:
            return False
        try:
            config = cluster.get(CONFIG_KIND, ref.namespace, ref.name)
        except NotFound:
            return ref not in self._seen
        return self._seen.get(ref) == seen(config, read_secrets(cluster, secret_refs(config)))

    def _sync(self, cluster: Cluster) -> ApplyResult:
        configs = cluster.list(CONFIG_KIND)
        moved = self._moved(configs)
        if moved is None:
            named = {ref for c in configs for ref in secret_refs(c)}
            secrets, refs = read_secrets(cluster, named), self._track(configs)
            self._keys = [ingress_key(*config_identity(c)[:2]) for c in configs]
            self._place_of = {key: place for place, key in enumerate(self._keys)}
            self._plain = not named
        else:
            secrets, refs = {}, self._refs
        self.assemblies += 1
        result = self._apply(self._assembler.assemble(configs, tls_secrets(secrets)))
        places = self._to_write(configs, result, moved)
        settled = self._settled(result)
        written: list[Object | None] = list(configs)
        for place in places:
            if not settled(configs[place]):
                written[place] = self._write_status(cluster, configs[place], result)
        changed = None if moved is None else {*moved, *places}
        self._remember(configs, written, refs, secrets, changed)
        self._last_result = result
        if result.retryable:
            self._seen = None
        return result

    def _remember(
        self,
        configs: Sequence[Object],
        written: list[Object | None],
        refs: list[ObjectRef],
        secrets: Mapping[str, Object | None],
        changed: set[int] | None,
    ) -> None:
        """Record the configs as the sync left them: at every place (``changed`` is
        ``None``), or at the changed places only, the rest being as the last sync left them.

        A config deleted while the sync ran (its status write found it gone)
        was still in the snapshot: it stays recorded as it was listed, so its
        deletion is a change and the next look syncs.
        """

        def seen_at(place: int) -> Seen:
            stored = written[place]
            return self._seen_once(stored if stored is not None else configs[place], secrets)

        if changed is None or self._seen is None:
            self._left = {id(obj): obj for obj in written if obj is not None}
            self._seen = {ref: seen_at(place) for place, ref in enumerate(refs)}
        else:
            self._left, self._seen = dict(self._left), dict(self._seen)
            for place in changed:
                before, stored = self._places[place], written[place]
                if before is not None:
                    self._left.pop(id(before), None)
                    self._seen_of.pop(id(before), None)
                if stored is not None:
                    self._left[id(stored)] = stored
                self._seen[refs[place]] = seen_at(place)
        self._places, self._refs = written, refs

    def _moved(self, configs: Sequence[Object]) -> list[int] | None:
        """The places whose config is not the very object the last sync left there, when
        only those need a look; ``None`` when every config does (a config came or went, one
        names a Secret, or the last sync did not complete)."""
        last = self._places
        if self._seen is None or not self._plain or len(configs) != len(last):
            return None
        moved = [
            i for i, (obj, old) in enumerate(zip(configs, last, strict=True)) if obj is not old
        ]
        for place in moved:
            config = configs[place]
            if secret_refs(config) or ObjectRef.of(config) != self._refs[place]:
                return None
            if ingress_key(*config_identity(config)[:2]) != self._keys[place]:
                return None
        return moved

    def _to_write(
        self, configs: Sequence[Object], result: ApplyResult, moved: list[int] | None
    ) -> Iterable[int]:
        """The places whose status may change after ``result``: the changed configs and
        those with a problem now or last time, when both results were accepted (the rest
        keep the hash they were served); else every one."""
        last = self._last_result
        if moved is None or last is None or not (last.accepted and result.accepted):
            return range(len(configs))
        troubled = {p.ingress for p in (*last.problems, *result.problems)}
        return sorted({*moved, *(self._place_of[k] for k in troubled if k in self._place_of)})

    def _settled(self, result: ApplyResult) -> Callable[[Object], bool]:
        """Whether a config's status is already what ``result`` makes it, without asking
        ``status_update``: the config is the very object the last sync left, both results
        were accepted, serve it the same hash and report no problem for it."""
        last, left = self._last_result, self._left
        if last is None or not (last.accepted and result.accepted):
            return lambda config: False
        troubled = {p.ingress for p in (*last.problems, *result.problems)}
        served, served_before = result.served, last.served

        def settled(config: Object) -> bool:
            if left.get(id(config)) is not config:
                return False
            key = ingress_key(*config_identity(config)[:2])
            return key not in troubled and served.get(key) == served_before.get(key)

        return settled

    def _apply(self, snapshot: EnvoySnapshot) -> ApplyResult:
        """Apply ``snapshot`` unless Envoy already serves or already refused that version."""
        if snapshot.version == self.gateway.snapshot.version and self.gateway.running:
            return ApplyResult.serving(snapshot)
        refused = self._refused
        if refused is not None and refused.version == snapshot.version:
            return replace(refused, problems=snapshot.problems)
        self.applies += 1
        result = self.gateway.apply(snapshot)
        self._refused = None if result.accepted or result.retryable else result
        return result

    def _write_status(self, cluster: Cluster, config: Object, result: ApplyResult) -> Object | None:
        """Write the config's new status if it changed; the config as stored (``None``: gone)."""
        status = status_update(config, result)
        if status is None:
            return config
        try:
            return cluster.update_status({**config, "status": status})
        except NotFound:
            return None

    def _seen_once(self, config: Object, secrets: Mapping[str, Object | None]) -> Seen:
        """``seen(config, secrets)``, computed once per config object that names no Secret."""
        memo = self._seen_of.get(id(config))
        if memo is not None and memo[0] is config:
            return memo[1]
        result = seen(config, secrets)
        if not result[3]:
            self._seen_of[id(config)] = (config, result)
        return result

    def _track(self, configs: Sequence[Object]) -> list[ObjectRef]:
        """Record which Secrets each config names; forget configs that are gone. Each
        config's reference.

        A config listed as the very object the last sync listed names the same
        Secrets (stored objects are frozen): nothing to record again.
        """
        current: dict[ObjectRef, Object] = {}
        refs = []
        listed, self._listed = self._listed, {}
        kept, self._seen_of = self._seen_of, {}
        for config in configs:
            memo = kept.get(id(config))
            if memo is not None and memo[0] is config:
                self._seen_of[id(config)] = memo
            last = listed.get(id(config))
            if last is not None and last[0] is config:
                ref = last[1]
                self._listed[id(config)] = last
                refs.append(ref)
                current[ref] = config
                continue
            ref = ObjectRef.of(config)
            self._listed[id(config)] = (config, ref)
            refs.append(ref)
            current[ref] = config
            if self._tracked.get(ref) is config:
                continue
            reads = []
            for secret in secret_refs(config):
                namespace, _, name = secret.partition("/")
                reads.append(ObjectRef(SECRET, namespace, name))
            self._tracker.track(ref, reads)
        for gone in self._tracked.keys() - current.keys():
            self._tracker.forget(gone)
        self._tracked = current
        return refs
