"""The help menu: about and the rules in force."""
