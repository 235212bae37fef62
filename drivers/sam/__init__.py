"""Resident-ID-card readers with a SAM module (GA/T 467 serial protocol): codec, card decoding, driver, emulator."""
