"""Urging (催办): screening, notices, their preview and template, phone urges, the inbox and SMTP settings."""
