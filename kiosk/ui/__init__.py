"""The kiosk's screens: citizen (idle, reading, verdict), staff and admin, in PySide6.

Importing this package does not import Qt; the modules that need it do. The UI sees kiosk.core only: everything
else (devices, the log, sync) reaches it through the EventBridge and the callbacks in `UiServices`.
"""
