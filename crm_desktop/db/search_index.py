"""Names of the hand-built search index objects (see the initial revision), so the
models-vs-migrations comparison knows to skip them."""

SQLITE_FTS_TABLE = "client_search_fts"
PG_TRGM_INDEX = "ix_client_search_terms_trgm"


def is_search_index_object(name: str | None, type_: str) -> bool:
    if type_ == "table" and name and name.startswith(SQLITE_FTS_TABLE):
        return True  # the FTS5 table and its shadow tables (_data, _idx, _docsize, _config)
    return type_ == "index" and name == PG_TRGM_INDEX
