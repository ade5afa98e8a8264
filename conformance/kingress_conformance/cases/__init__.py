"""The conformance cases, one module each; ``kingress_conformance.catalog`` finds them.

A module defines ``CASE``; its name is the key with ``/`` and ``-`` turned
into ``_`` (``dispatch/path_and_percentage`` → ``dispatch_path_and_percentage``).
"""
