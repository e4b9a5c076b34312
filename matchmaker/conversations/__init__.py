"""Conversations on a need or an offer before any proposal: questions and their answers."""
