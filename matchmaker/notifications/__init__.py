"""Notifications: what asks someone to act, told in-app and by mail as each person prefers."""
