"""One PC editing clients for test_edit_concurrency.py (run as a separate process):

    python edit_worker.py DATABASE_URL SEED SECONDS ID,ID,… versioned|unversioned
        →  {"acked": [[client id, field, token], …], "conflicts": n, "merged": n}

Each edit reads a client, waits a moment (a person typing), and appends a token of its own to the
notes or the address. "versioned" saves as the app does (the version read, the values read as the
merge base); "unversioned" is an app without versioning: it saves over whatever version is there.
"""

from __future__ import annotations

import json
import random
import sys
import time

from crm_desktop.db.engine import Database
from crm_desktop.services import clients
from crm_desktop.services.context import ServiceContext
from crm_desktop.services.errors import ConflictError

MAX_ADDRESS = 1500  # the address column takes 2,000 characters; past this the token goes to the notes


def main() -> None:
    url, seed, seconds, mode = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[5]
    ids = [int(i) for i in sys.argv[4].split(",")]
    rng = random.Random(seed)
    db = Database.open(url)
    ctx = ServiceContext(db)
    acked, conflicts, merged = [], 0, 0
    deadline = time.monotonic() + seconds
    n = 0
    while time.monotonic() < deadline:
        n += 1
        client_id = rng.choice(ids)
        read = clients.get(ctx, client_id)
        base = clients.editable_values(read)
        field = "address" if rng.random() < 0.4 and len(read.address) < MAX_ADDRESS else "notes"
        token = f"p{seed}.{n}"
        time.sleep(rng.random() * 0.01)
        value = f"{base[field]} {token}".strip()
        try:
            if mode == "versioned":
                saved = clients.update(
                    ctx, client_id, expected_version=read.version, base=base, **{field: value}
                )
            else:
                current = clients.get(ctx, client_id).version
                saved = clients.update(ctx, client_id, expected_version=current, **{field: value})
        except ConflictError:
            conflicts += 1
            continue
        acked.append([client_id, field, token])
        merged += saved.version > read.version + 1
    db.dispose()
    json.dump({"acked": acked, "conflicts": conflicts, "merged": merged}, sys.stdout)


if __name__ == "__main__":
    main()
