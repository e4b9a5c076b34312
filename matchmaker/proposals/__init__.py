"""Proposals: the review queue, decisions, messages and proposals made by hand."""
