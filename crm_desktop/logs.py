"""The log file in the platformdirs log directory: where unexpected errors go with their traceback."""

from __future__ import annotations

import logging
import logging.handlers

from crm_desktop.config import Paths

_configured: set[str] = set()


def logger(paths: Paths) -> logging.Logger:
    log = logging.getLogger("crm_desktop")
    key = str(paths.log_file)
    if key not in _configured:
        paths.log_dir.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(paths.log_file, maxBytes=2_000_000, backupCount=3,
                                                       encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        _configured.add(key)
    return log


def log_unexpected(paths: Paths, exc: BaseException) -> None:
    logger(paths).error("unexpected error", exc_info=(type(exc), exc, exc.__traceback__))
