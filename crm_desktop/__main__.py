import sys

from crm_desktop.cli import main

sys.exit(main())
