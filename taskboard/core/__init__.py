"""Domain and storage. Never imports Qt."""
