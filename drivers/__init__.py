"""Hardware adapters: Qt-free, one thread per device, sans-I/O codecs and emulators for development."""
