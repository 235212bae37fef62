"""Persistence and network for the kiosk's check log: the durable local log, sync, export, the central service.

Qt-free and driver-free (import-linter contracts): the composition root wires it to the UI.
"""
