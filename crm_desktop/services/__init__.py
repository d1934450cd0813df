"""The domain: plain Python, no Qt. One module per area."""
