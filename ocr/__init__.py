"""OCR: page image in, structured sheet with per-field confidence out.  Pure: no database."""
