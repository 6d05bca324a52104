"""Urge notices: their documents (docx/PDF), templates, delivery (in the app, e-mail) and the urge ledger. No Qt."""
