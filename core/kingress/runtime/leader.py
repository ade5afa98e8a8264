"""Leader election on a ``coordination.k8s.io/v1`` Lease, as client-go does it.

Every replica runs an elector; only the one holding the Lease reconciles. The
holder renews the Lease every ``retry_period``; the others watch it and take
it over once it has not changed for ``lease_duration`` — measured on their
own monotonic clock from when they last saw it change, so clock skew between
machines does not matter. Writes use the Lease's resourceVersion, so two
candidates can never both win. A holder that cannot renew for
``renew_deadline`` steps down; one that stops cleanly releases the Lease
(empty holder) so a successor takes over at once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kingress.cluster.errors import ApiError, Conflict, NotFound
from kingress.cluster.port import Cluster, Kind, Object

LEASE = Kind("coordination.k8s.io", "Lease")
log = logging.getLogger("kingress.runtime.leader")


@dataclass(frozen=True, slots=True)
class LeaseConfig:
    """Where the Lease is, who we are, and the timings (seconds)."""

    namespace: str
    name: str
    identity: str
    lease_duration: float = 15.0
    renew_deadline: float = 10.0
    retry_period: float = 2.0


def _micro_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class LeaderElector:
    """Acquires and renews the Lease; reports when leadership starts and stops."""

    def __init__(
        self,
        cluster: Cluster,
        config: LeaseConfig,
        *,
        on_started: Callable[[], None] = lambda: None,
        on_stopped: Callable[[], None] = lambda: None,
        monotonic: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.cluster = cluster
        self.config = config
        #: Set once the first attempt has told us whether we lead.
        self.known = threading.Event()
        self._on_started = on_started
        self._on_stopped = on_stopped
        self._monotonic = monotonic
        self._now = now
        self._leading = False
        self._observed: tuple[Any, ...] | None = None
        self._observed_at = 0.0
        self._renewed_at = 0.0

    @property
    def is_leader(self) -> bool:
        """Whether this replica holds the Lease now."""
        return self._leading

    def run(self, stop: threading.Event) -> None:
        """Try to acquire or renew every ``retry_period`` until ``stop``; then release."""
        while not stop.is_set():
            self.step()
            stop.wait(self.config.retry_period)
        if self._leading:
            self._release()
        self._set_leading(False)

    def step(self) -> None:
        """One attempt; updates leadership."""
        if self._try_acquire_or_renew():
            self._renewed_at = self._monotonic()
            self._set_leading(True)
        elif self._leading and (
            self._holder_is_other()
            or self._monotonic() - self._renewed_at > self.config.renew_deadline
        ):
            self._set_leading(False)
        self.known.set()

    def _set_leading(self, leading: bool) -> None:
        if leading == self._leading:
            return
        self._leading = leading
        log.info(
            "leadership " + ("acquired" if leading else "lost"),
            extra={"identity": self.config.identity, "lease": self.config.name},
        )
        (self._on_started if leading else self._on_stopped)()

    def _holder_is_other(self) -> bool:
        return self._observed is not None and self._observed[0] not in ("", self.config.identity)

    def _spec(self, current: dict[str, Any]) -> dict[str, Any]:
        mine = current.get("holderIdentity") == self.config.identity
        stamp = _micro_time(self._now())
        return {
            "holderIdentity": self.config.identity,
            "leaseDurationSeconds": max(1, round(self.config.lease_duration)),
            "acquireTime": current.get("acquireTime", stamp) if mine else stamp,
            "renewTime": stamp,
            "leaseTransitions": current.get("leaseTransitions", 0) + (0 if mine else 1),
        }

    def _remember(self, spec: dict[str, Any]) -> None:
        record = (
            spec.get("holderIdentity", ""),
            spec.get("renewTime"),
            spec.get("leaseTransitions"),
        )
        if record != self._observed:
            self._observed = record
            self._observed_at = self._monotonic()

    def _try_acquire_or_renew(self) -> bool:
        try:
            lease = self.cluster.get(LEASE, self.config.namespace, self.config.name)
        except NotFound:
            return self._create()
        except ApiError as error:
            log.warning("cannot read the lease", extra={"error": error.message})
            return False
        current = lease.get("spec") or {}
        self._remember(current)
        holder = current.get("holderIdentity") or ""
        expired = self._monotonic() - self._observed_at > float(
            current.get("leaseDurationSeconds") or self.config.lease_duration
        )
        if holder and holder != self.config.identity and not expired:
            return False
        updated: Object = {**lease, "spec": self._spec(current)}
        try:
            written = self.cluster.update(updated)
        except Conflict:
            return False
        except ApiError as error:
            log.warning("cannot renew the lease", extra={"error": error.message})
            return False
        self._remember(written.get("spec") or {})
        return True

    def _create(self) -> bool:
        lease: Object = {
            "apiVersion": "coordination.k8s.io/v1",
            "kind": "Lease",
            "metadata": {"name": self.config.name, "namespace": self.config.namespace},
            "spec": self._spec({}),
        }
        try:
            written = self.cluster.create(lease)
        except ApiError as error:
            if error.code != 409:
                log.warning("cannot create the lease", extra={"error": error.message})
            return False
        self._remember(written.get("spec") or {})
        return True

    def _release(self) -> None:
        try:
            lease = self.cluster.get(LEASE, self.config.namespace, self.config.name)
            if (lease.get("spec") or {}).get("holderIdentity") != self.config.identity:
                return
            spec = {**lease["spec"], "holderIdentity": "", "leaseDurationSeconds": 1}
            self.cluster.update({**lease, "spec": spec})
        except ApiError as error:
            log.warning("cannot release the lease", extra={"error": error.message})
