"""Sign-in and connections: login, first administrator, passwords, server choice, the lost-connection banner, idle lock."""
