"""Excel in and out: the monthly ledger, task-list import, unit report forms, workbook safety checks. No Qt."""
