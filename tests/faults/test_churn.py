"""Routes changing their splits while traffic flows: no request fails because of a change.

The churn benchmark (``benchmarks/churn.py``) at a small size: every
controller, a process per Revision and a real Envoy reprogrammed by its runner
after each change, with clients sending requests all along. Moving a Service
to 0 % or 100 % of one Revision removes the other's Envoy cluster and a later
change adds it back, so the gateway's ordering of an update (new clusters
before the routes that use them, old ones removed last) is exercised: without
it, requests fail with 503.
"""

from __future__ import annotations

import pytest
from benchmarks.churn import ChurnOptions, run

from kingress_envoy.binary import EnvoyNotFound, find_envoy


def test_no_request_fails_while_splits_churn() -> None:
    try:
        find_envoy()
    except EnvoyNotFound as error:
        pytest.skip(str(error))
    result = run(ChurnOptions(services=3, changes=20, per_change=2, clients=3, seed=7))
    assert result.failures == {}, result.report()
    assert result.reconfigurations >= result.changes, result.report()
    assert result.requests >= 200, result.report()
