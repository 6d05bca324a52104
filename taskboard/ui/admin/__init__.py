"""Administration: users, units, campaigns, office settings, the working-day calendar and the audit trail."""
