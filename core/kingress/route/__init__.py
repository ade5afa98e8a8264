"""The Route controller: a Route becomes one ClusterIngress and its placeholder Services.

Pure parts, each in its own module: ``traffic`` (resolving the traffic block
to revisions), ``domains`` (hosts and URLs from the templates and
``config-domain``), ``visibility``, ``rollout`` (gradual rollout steps),
``resources`` (the ``make_*`` builders) and ``lifecycle`` (the Route's
conditions). ``reconciler`` reads the world, calls them and applies the result.
See docs/route.md.
"""
