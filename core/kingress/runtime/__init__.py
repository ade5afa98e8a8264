"""Running controllers against a Kubernetes API: ``kingress controller``.

Informers (list + watch per kind, local caches, resync, relist on 410), a
deduplicating work queue with per-key exponential backoff, leader election
on a Lease, health and readiness endpoints, Prometheus metrics, JSON logs,
and the gateway readiness prober. ``manager.Manager`` puts them together.
"""
