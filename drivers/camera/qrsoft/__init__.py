"""The soft QR reader: symbols zxing-cpp located but could not decode, read from module values (reader.py)."""
