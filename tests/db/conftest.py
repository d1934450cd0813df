"""Fixtures of the db tests: real full disks and read-only files (see tests/support/os_conditions.py)."""

from os_conditions import make_read_only, small_disk  # noqa: F401 - fixtures
