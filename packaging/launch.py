"""Entry point of the PyInstaller bundle (the bundle has no console-script wrapper)."""

import sys

from crm_desktop.cli import main

sys.exit(main())
