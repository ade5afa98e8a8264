"""What installs kingress on a cluster: CRDs, RBAC and manifests (``deploy/``), and kind plans.

``deploy/`` is generated from this package (``python -m kingress.install
deploy``) so the CRDs follow the typed models and the RBAC follows the kinds
the controllers use; a test keeps the committed files up to date.
"""
