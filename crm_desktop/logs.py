"""The log file in the platformdirs log directory: where unexpected errors go with their traceback.

Writing the log can fail too — on the full disk that made a save fail, or a read-only home folder.
Then nothing is printed instead (logging's default is a traceback on stderr, exactly what a user must
never get), and the callers learn that the details were not written, so they do not point to them.
"""

from __future__ import annotations

import logging
import logging.handlers

from crm_desktop.config import Paths

_handlers: dict[str, _QuietFileHandler] = {}


class _QuietFileHandler(logging.handlers.RotatingFileHandler):
    failed = False

    def handleError(self, record: logging.LogRecord) -> None:
        self.failed = True


def _handler(paths: Paths) -> _QuietFileHandler | None:
    key = str(paths.log_file)
    if key not in _handlers:
        try:
            paths.log_dir.mkdir(parents=True, exist_ok=True)
            handler = _QuietFileHandler(paths.log_file, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
        except OSError:
            return None  # tried again next time: the disk may have room by then
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        log = logging.getLogger("crm_desktop")
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        _handlers[key] = handler
    return _handlers[key]


def log_unexpected(paths: Paths, exc: BaseException) -> bool:
    """Log a bug with its traceback; False when the log could not be written."""
    return _log(paths, logging.ERROR, "unexpected error", exc)


def log_problem(paths: Paths, exc: BaseException, told: str) -> bool:
    """Log the details behind `told`, what the user was told in words; False when not written."""
    return _log(paths, logging.WARNING, f"told the user: {told}", exc)


def _log(paths: Paths, level: int, text: str, exc: BaseException) -> bool:
    handler = _handler(paths)
    if handler is None:
        return False
    handler.failed = False
    logging.getLogger("crm_desktop").log(level, text, exc_info=(type(exc), exc, exc.__traceback__))
    return not handler.failed
