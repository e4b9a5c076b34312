"""The conversation tests reuse the proposal tests' cast and signed-in clients."""

from tests.proposals.conftest import browser_for, cast  # noqa: F401
