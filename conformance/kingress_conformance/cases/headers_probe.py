"""``headers/probe``: the K-Network-Probe / K-Network-Hash contract (``TestProbeHeaders``)."""

from __future__ import annotations

from kingress import HASH_HEADER, HASH_OVERRIDE, PROBE_HEADER, PROBE_PATH, PROBE_VALUE, Feature
from kingress_conformance.case import Case, TestService, Tier
from kingress_conformance.casekit import public_host, simple
from kingress_conformance.checks import ProbeHash
from kingress_conformance.requests import request

HOST = public_host("probe")

CASE = Case(
    key="headers/probe",
    description="A probe with K-Network-Hash: override gets the ingress's hash back; a probe "
    "with an explicit hash gets that hash back unchanged.",
    tier=Tier.STABLE,
    features=frozenset({Feature.PROBE}),
    services=(TestService(name="probe"),),
    ingresses=(simple("probe", HOST, "probe"),),
    checks=tuple(
        ProbeHash(
            request=request(
                HOST, PROBE_PATH, headers={PROBE_HEADER: PROBE_VALUE, HASH_HEADER: value}
            ),
            ingress="probe",
            backend="probe",
            explicit=None if value == HASH_OVERRIDE else value,
        )
        for value in (HASH_OVERRIDE, "a-hash-the-client-chose")
    ),
)
