"""The camera benchmark's parts (python -m bench camera): the decoders compared, single photographs, hand-held
sequences, and the live capture loop."""
