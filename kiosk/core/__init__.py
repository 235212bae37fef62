"""The functional core: pass formats, trust, status lists, verification and verdicts.

Pure Python plus cryptography and cbor2. No Qt, no serial, no OpenCV, no SQLite, no HTTP and no clock:
`now` and the trust data are always arguments. The import contracts in pyproject.toml keep it so.
"""
