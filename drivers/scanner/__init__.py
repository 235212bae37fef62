"""Serial QR scanners (GM65 family and alike in continuous mode): line codec, driver thread, emulator."""
