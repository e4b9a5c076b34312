"""Outgoing mail: queued in the OutboxMail table, sent by the sender the settings choose."""
