"""citizen."""
