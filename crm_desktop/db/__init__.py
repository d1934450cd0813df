"""Database access: engine, models, migrations."""
