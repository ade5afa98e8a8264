"""Pure builders of a Route's children: its ClusterIngress and placeholder Services.

Simple functions of their arguments (Knative's ``resources`` package): no
cluster access, no clock.
"""
