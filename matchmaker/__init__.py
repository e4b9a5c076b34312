"""Matchmaker: the assistance clearing-house for the UN Programme of Action on small arms."""
