"""The checks the kiosks send: exactly-once ingest with the chain and signatures verified on arrival (ingest),
hourly counts kept at ingest (checkstats), and the streamed CSV export (exports). Over storage only."""
