"""Sample servers kingress runs where a cluster would run a container image.

Each follows the contract of the Knative sample of the same name, so what a
request gets back through the local gateway is what it would get from the
sample's image on a cluster.
"""
