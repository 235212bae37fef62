"""The central reference service: enrollment, signed uploads, downloads, admin reports (FastAPI over SQLite/PostgreSQL).
"""
