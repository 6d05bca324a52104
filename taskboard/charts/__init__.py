"""Matplotlib Figure builders for the battle map (no pyplot, no Qt)."""
