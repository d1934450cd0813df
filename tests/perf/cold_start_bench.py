"""How long a user waits for the window: process start → main window painted with the first page of clients.

    python tests/perf/cold_start_bench.py [--clients N] [--runs R] [--python EXE --checkout DIR]

    cold_start_window_ms   median over R runs (default 7, after one warm-up run that fills the file cache)
                           of the time from just before `python -m crm_desktop` is spawned until the app
                           reports its first paint of the current page with data (CRM_DESKTOP_REPORT_READY,
                           see crm_desktop/ui/ready_report.py); the database is migrated already, as a
                           user's is on every start but the first after an update

The app runs under a real X server: the one of $DISPLAY, or its own Xvfb (with openbox as the window manager
when installed) when DISPLAY is unset. Data, settings, logs, the keyring and the XDG folders all point into
one temp folder, so the real user dirs are never touched; so does Python's bytecode cache, which the warm-up
fills as an installed app has it. The office is made once per run of this script with `crm-desktop
demo-data` (N clients, default 2,000) in that folder. `--python` and `--checkout` start another tree's app
(it must have ui/ready_report.py), to compare two versions on the same machine.
The last line printed is one JSON object: {"cold_start_window_ms": median, "runs": [...], "cold_start_cpu_ms":
median} (the app's CPU time until it is stopped just after its report: steadier on a busy machine).
Not collected by pytest: no test_ prefix.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TIMEOUT_S = 60


def _sandbox_env(base: Path, display: str, checkout: Path = REPO) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CRM_DESKTOP_", "QT_"))}
    # An installed app starts from compiled bytecode: let the warm-up write it (into the sandbox, not the
    # checkout), or every start would compile each module of ours again.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(base / "pycache")
    env.update(
        DISPLAY=display,
        QT_QPA_PLATFORM="xcb",
        PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
        PYTHONPATH=os.pathsep.join(filter(None, (str(checkout), env.get("PYTHONPATH")))),
    )
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR"):
        env[var] = str(base / "xdg" / var.lower())
        Path(env[var]).mkdir(parents=True, exist_ok=True, mode=0o700)
    return env


@contextmanager
def x_display(base: Path) -> Iterator[str]:
    """$DISPLAY, or an Xvfb of our own (on the first free display number, as Xvfb picks it)."""
    if os.environ.get("DISPLAY"):
        yield os.environ["DISPLAY"]
        return
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        raise SystemExit(
            "No X server: set DISPLAY or install Xvfb (apt-get install -y xvfb openbox "
            "x11-utils libxcb-cursor0 libxkbcommon-x11-0 libxcb-icccm4 libxcb-image0 "
            "libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 "
            "libxcb-xkb1)."
        )
    read_end, write_end = os.pipe()
    server = subprocess.Popen(
        [xvfb, "-displayfd", str(write_end), "-screen", "0", "1600x1000x24", "-nolisten", "tcp"],
        pass_fds=(write_end,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        number = pipe.readline().strip()  # written once the server accepts clients
    if not number:
        server.kill()
        raise SystemExit("Xvfb did not start.")
    display = f":{number}"
    wm = None
    if shutil.which("openbox"):
        wm = subprocess.Popen(
            ["openbox"], env=_sandbox_env(base, display), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
    try:
        yield display
    finally:
        for proc in (wm, server):
            if proc is not None:
                proc.terminate()
                proc.wait(10)


def prepare_office(python: str, base: Path, env: dict[str, str], clients: int) -> None:
    subprocess.run(
        [
            python,
            "-m",
            "crm_desktop",
            "--base-dir",
            str(base / "office"),
            "demo-data",
            "--clients",
            str(clients),
        ],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        cwd=base,
    )


def one_start(python: str, base: Path, env: dict[str, str]) -> tuple[float, float]:
    """Milliseconds from just before the spawn to the app's report of its first paint with data, and the
    CPU milliseconds the app had used when it was stopped right after that report."""
    report = base / "ready.json"
    report.unlink(missing_ok=True)
    run_env = dict(env, CRM_DESKTOP_REPORT_READY=str(report))
    started = time.monotonic()
    proc = subprocess.Popen(
        [python, "-m", "crm_desktop", "--base-dir", str(base / "office")],
        env=run_env,
        cwd=base,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = started + TIMEOUT_S
        while not report.exists():
            if proc.poll() is not None:
                raise SystemExit(
                    f"The app exited ({proc.returncode}) before its window showed data:\n"
                    + proc.stderr.read().decode(errors="replace")
                )
            if time.monotonic() > deadline:
                raise SystemExit(f"No window with data after {TIMEOUT_S} s.")
            time.sleep(0.002)  # polling a file: the app is another process, there is no signal to wait on
        painted = json.loads(report.read_text(encoding="utf-8"))["monotonic"]
    finally:
        usage = None
        if proc.returncode is None:  # not yet reaped by poll(): the app is still running
            proc.terminate()  # Python's default SIGTERM: gone at once; the file is as after a closed window
            _pid, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
        proc.stderr.close()
    assert usage is not None  # the report exists, so the app was running when it was stopped
    return (painted - started) * 1000, (usage.ru_utime + usage.ru_stime) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=2000, help="clients in the office (default 2,000)")
    parser.add_argument("--runs", type=int, default=7, help="measured starts after the warm-up (default 7)")
    parser.add_argument("--python", default=sys.executable, help="the interpreter to start the app with")
    parser.add_argument(
        "--checkout",
        type=Path,
        default=REPO,
        help="the source tree whose app is started (default this one; another to compare)",
    )
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="crm-bench-start-"))
    try:
        with x_display(base) as display:
            env = _sandbox_env(base, display, args.checkout.resolve())
            prepare_office(args.python, base, env, args.clients)
            warm_up, _cpu = one_start(args.python, base, env)
            measured = [one_start(args.python, base, env) for _ in range(args.runs)]
    finally:
        shutil.rmtree(base, ignore_errors=True)
    runs = [round(wall, 1) for wall, _cpu in measured]
    cpu = [round(cpu, 1) for _wall, cpu in measured]
    print(
        f"warm-up start {warm_up:.0f} ms; starts {', '.join(f'{r:.0f}' for r in runs)} ms; CPU "
        f"{', '.join(f'{c:.0f}' for c in cpu)} ms (display {display}, {args.clients} clients)",
        flush=True,
    )
    # cold_start_cpu_ms: the app's own CPU time up to just after the report, steadier than the wall time
    # on a machine busy with other work (it leaves out the time spent waiting for a core).
    print(
        json.dumps(
            {
                "cold_start_window_ms": round(statistics.median(runs), 1),
                "runs": runs,
                "cold_start_cpu_ms": round(statistics.median(cpu), 1),
            }
        )
    )


if __name__ == "__main__":
    main()
