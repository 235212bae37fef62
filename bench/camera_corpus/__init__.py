"""camera_corpus."""
