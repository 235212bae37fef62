"""Camera scanning of printed codes: capture loop, decoding cascade, corpus generator.

Import the submodules directly (decoder, capture, events); this package imports nothing heavy itself.
"""
