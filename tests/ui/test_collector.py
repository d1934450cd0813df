"""The cycle collector runs on the window's thread only: a Qt object left in a reference cycle is destroyed
there, never on a worker thread (where its destructor could deadlock with the window); while a bulk job
holds the collector it waits."""

from __future__ import annotations

import gc
import threading
import weakref

from PySide6.QtCore import QObject

from crm_desktop.services import bulk_work


class _Cyclic(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.me = self  # a cycle only the collector frees


def test_qt_objects_in_cycles_are_freed_on_the_gui_thread(qtbot, open_window):
    open_window()
    assert not gc.isenabled()
    freed_on: list[str] = []
    young: list[list] = []  # containers the collector counts, kept: past its threshold until the end

    def make_garbage() -> None:  # on a worker thread, as a job's objects are
        obj = _Cyclic()
        weakref.finalize(obj, lambda: freed_on.append(threading.current_thread().name))
        del obj  # garbage now, which only the collector frees
        young.extend([] for _ in range(5000))  # left to itself, the collector would run here, on the worker

    # Held while the object lives, so that no collection of the window's moves it to an older generation
    # before it is garbage (it would then wait for a full collection, and the test with it).
    with bulk_work.collector_held():
        worker = threading.Thread(target=make_garbage, name="worker")
        worker.start()
        worker.join()
        qtbot.wait(600)
        assert freed_on == []  # held: not collected meanwhile, on any thread
    qtbot.waitUntil(lambda: freed_on == [threading.main_thread().name], timeout=15_000)
    young.clear()
