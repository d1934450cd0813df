"""The dashboard (Ctrl+0), the first view: where money and work stand, each figure opening its list."""
