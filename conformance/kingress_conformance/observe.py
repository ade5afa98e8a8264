"""Comparing what a backend received with what a check expects, the same at every depth.

An ``Observation`` is what one backend got: from a model's ``Forward`` offline,
from the runtime server's JSON echo at the real depths. ``mismatch`` says how
it differs from a ``Seen`` expectation, or ``None`` when it matches.
"""

from __future__ import annotations

from dataclasses import dataclass

from kingress_conformance.checks import Seen
from kingress_conformance.models.decision import Forward, UpstreamProtocol
from kingress_conformance.models.headers import Headers, header_value, normalized


@dataclass(frozen=True, slots=True, kw_only=True)
class Observation:
    """One request as a backend received it."""

    backend: str
    headers: Headers
    host: str
    http2: bool

    @classmethod
    def of_forward(cls, forward: Forward) -> Observation:
        """What a modelled upstream receives."""
        return cls(
            backend=forward.service,
            headers=forward.headers,
            host=forward.host,
            http2=forward.protocol == UpstreamProtocol.H2C,
        )

    @classmethod
    def of_echo(cls, echo: dict[str, object]) -> Observation:
        """What a runtime test server echoed (``server``, ``host``, ``headers``, ``protoMajor``)."""
        raw = echo.get("headers")
        pairs = [
            (str(name), str(value))
            for name, values in (raw.items() if isinstance(raw, dict) else ())
            for value in (values if isinstance(values, list) else [values])
        ]
        return cls(
            backend=str(echo.get("server", "")),
            headers=normalized(pairs),
            host=str(echo.get("host", "")),
            http2=echo.get("protoMajor") == 2,
        )


def mismatch(expected: Seen, observed: Observation) -> str | None:
    """How ``observed`` differs from ``expected``; ``None`` when it matches."""
    if observed.backend != expected.backend:
        return f"reached {observed.backend!r}, expected {expected.backend!r}"
    problems = []
    for name, value in expected.headers.items():
        got = header_value(observed.headers, name)
        if got != value:
            problems.append(f"header {name}: got {got!r}, expected {value!r}")
    if expected.host is not None and observed.host.split(":")[0] != expected.host:
        problems.append(f"host: got {observed.host!r}, expected {expected.host!r}")
    if expected.http2 is not None and observed.http2 != expected.http2:
        problems.append(f"HTTP/2: got {observed.http2}, expected {expected.http2}")
    return "; ".join(f"{expected.backend}: {p}" for p in problems) or None
