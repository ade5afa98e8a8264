"""The serving controllers: Service, Configuration, Revision and the route labeler.

They turn a Knative Service into its Configuration and Route, a Configuration
into one immutable Revision per generation, and a Revision into the Deployment
and Kubernetes Service that run it, reporting Knative's conditions back up the
chain. The Route controller (in ``kingress.route``) takes the Route from there.
Builders of the children are pure and live in ``resources``; lifecycles (how a
status changes) are pure and live in ``lifecycle`` and ``revision_lifecycle``.
"""
