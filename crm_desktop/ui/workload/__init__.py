"""The workload view (Ctrl+6): who has how much work on which day, and moving it."""
