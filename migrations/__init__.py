"""Alembic migrations; shipped inside the package as `crm_desktop.migrations` (see pyproject.toml)."""
