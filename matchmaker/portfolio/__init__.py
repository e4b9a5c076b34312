"""What the needs and offers features share: form field parsing, lifecycle rules, coverage."""
