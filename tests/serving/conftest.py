"""Rewrite asserts in the table-test helper so failures show the differing writes."""

from __future__ import annotations

import pytest

pytest.register_assert_rewrite("tests.serving.tabletest")
