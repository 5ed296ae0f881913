"""Ingest: files → pages → OCR → database.  Owns batches, resumability and parallelism."""
