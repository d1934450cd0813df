"""Work over 100,000 rows at once (reading a file, checking an import, writing it, an export) with Python's
cycle collector held until it is done.

Such work makes millions of objects that live until it ends and hold no reference cycles; the collector
would walk all of them again and again as they pile up (a fifth of a 100,000-client import's time) to
free nothing. It runs again once the last such piece of work is over — on any thread: the collector is
the process's — and whatever cycles the rest of the app made meanwhile are collected then (in the window,
by ui/collector.py on the GUI thread, where the collector stays off otherwise).
"""

from __future__ import annotations

import functools
import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

_lock = threading.Lock()
_running = 0
_was_enabled = False

P = ParamSpec("P")
R = TypeVar("R")


@contextmanager
def collector_held() -> Iterator[None]:
    global _running, _was_enabled
    with _lock:
        if _running == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _running += 1
    try:
        yield
    finally:
        with _lock:
            _running -= 1
            if _running == 0 and _was_enabled:
                gc.enable()


def held() -> bool:
    """Whether such work is running (the window's collector, ui/collector.py, waits for it)."""
    return _running > 0


def holding_the_collector(fn: Callable[P, R]) -> Callable[P, R]:
    """`fn` run within `collector_held`."""

    @functools.wraps(fn)
    def held(*args: P.args, **kwargs: P.kwargs) -> R:
        with collector_held():
            return fn(*args, **kwargs)

    return held
