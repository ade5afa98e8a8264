"""The conformance report: YAML shaped like Gateway API's ``ConformanceReport``.

One report per run; one ``implementations`` entry per backend run (the offline
depth without ``--ingress-class`` runs every installed backend)::

    apiVersion: conformance.kingress.dev/v1alpha1
    kind: ConformanceReport
    date: "2026-01-01T00:00:00Z"
    depth: offline
    suiteVersion: 0.1.0
    implementations:
    - backend: istio
      distribution: kingress
      version: 0.1.0
      ingressClass: istio.ingress.networking.knative.dev
      featuresClaimed: [basics, ...]
      summary: {passed: 20, failed: 0, skipped: 1, not-supported: 4}
      results:
      - {key: basics, tier: stable, outcome: passed}
      - {key: update, tier: stable, outcome: not-supported, reason: "needs update"}

``to_yaml`` and ``from_yaml`` round-trip exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from kingress_conformance.outcome import Outcome

API_VERSION = "conformance.kingress.dev/v1alpha1"
KIND = "ConformanceReport"


@dataclass(frozen=True, slots=True, kw_only=True)
class ResultEntry:
    """One case's outcome in the report."""

    key: str
    tier: str
    outcome: Outcome
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Wire form (``reason`` only when there is one)."""
        data: dict[str, Any] = {"key": self.key, "tier": self.tier, "outcome": self.outcome.value}
        if self.reason:
            data["reason"] = self.reason
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ResultEntry:
        """Parse the wire form."""
        return cls(
            key=data["key"],
            tier=data["tier"],
            outcome=Outcome(data["outcome"]),
            reason=data.get("reason", ""),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Implementation:
    """One backend's run: who it is, what it claims, how each case went."""

    backend: str
    distribution: str
    version: str
    ingress_class: str
    features_claimed: tuple[str, ...]
    results: tuple[ResultEntry, ...]

    def summary(self) -> dict[str, int]:
        """How many cases ended in each outcome (every outcome listed)."""
        return {o.value: sum(1 for r in self.results if r.outcome == o) for o in Outcome}

    def to_dict(self) -> dict[str, Any]:
        """Wire form."""
        return {
            "backend": self.backend,
            "distribution": self.distribution,
            "version": self.version,
            "ingressClass": self.ingress_class,
            "featuresClaimed": list(self.features_claimed),
            "summary": self.summary(),
            "results": [r.to_dict() for r in self.results],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Implementation:
        """Parse the wire form (the summary is derived, so it is not read back)."""
        return cls(
            backend=data["backend"],
            distribution=data["distribution"],
            version=data["version"],
            ingress_class=data["ingressClass"],
            features_claimed=tuple(data["featuresClaimed"]),
            results=tuple(ResultEntry.from_dict(r) for r in data["results"]),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Report:
    """A whole conformance run."""

    date: str
    depth: str
    suite_version: str
    implementations: tuple[Implementation, ...]

    @property
    def failed(self) -> bool:
        """Whether any case failed (the command's exit status)."""
        return any(r.outcome == Outcome.FAILED for i in self.implementations for r in i.results)

    def to_dict(self) -> dict[str, Any]:
        """Wire form."""
        return {
            "apiVersion": API_VERSION,
            "kind": KIND,
            "date": self.date,
            "depth": self.depth,
            "suiteVersion": self.suite_version,
            "implementations": [i.to_dict() for i in self.implementations],
        }

    def to_yaml(self) -> str:
        """The report as YAML (keys in the documented order)."""
        return yaml.safe_dump(self.to_dict(), sort_keys=False, width=100)

    @classmethod
    def from_yaml(cls, text: str) -> Report:
        """Parse a report; ``ValueError`` if it is not one."""
        data = yaml.safe_load(text)
        if (
            not isinstance(data, dict)
            or data.get("apiVersion") != API_VERSION
            or data.get("kind") != KIND
        ):
            raise ValueError(f"not a {KIND} of {API_VERSION}")
        return cls(
            date=str(data["date"]),
            depth=data["depth"],
            suite_version=data["suiteVersion"],
            implementations=tuple(Implementation.from_dict(i) for i in data["implementations"]),
        )
