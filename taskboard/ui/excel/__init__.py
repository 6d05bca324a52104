"""Excel in the window: ledger export, task-list import with its preview, unit report forms."""
