"""The clearing-house bulletin: a monthly public archive, printable, mailed to its readers."""
