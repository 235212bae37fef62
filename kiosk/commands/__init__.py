"""Subcommands of the `kiosk` command, one module per area (see kiosk/cli.py)."""
