"""The Linux menu entry packaging/crm-desktop.desktop names the bundle's program and the app's icon.

Spans packaging/ and resources/icons/.
"""

from __future__ import annotations

import configparser
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ENTRY = REPO / "packaging" / "crm-desktop.desktop"


def _entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # keys are case-sensitive
    parser.read_string(ENTRY.read_text(encoding="utf-8"))
    return parser["Desktop Entry"]


def test_it_starts_the_program_the_spec_builds_with_the_apps_icon():
    entry = _entry()
    assert (entry["Type"], entry["Terminal"]) == ("Application", "false")
    spec = (REPO / "packaging" / "crm-desktop.spec").read_text(encoding="utf-8")
    assert entry["Exec"] == entry["TryExec"] == "crm-desktop" and 'program("crm-desktop"' in spec
    # Icon= is a theme name: README installs resources/icons/<name>.svg into hicolor/scalable/apps
    assert (REPO / "resources" / "icons" / f"{entry['Icon']}.svg").is_file()
    # the window's WM_CLASS is the program's name (Qt takes argv[0]), so docks group it under this entry
    assert entry["StartupWMClass"] == "crm-desktop"
    assert entry["Categories"].endswith(";") and "Office" in entry["Categories"].split(";")
