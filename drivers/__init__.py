"""Qt-free hardware adapters: codecs, one thread per device, emulators."""
