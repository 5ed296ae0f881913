"""The public lookup service.  It reads only published, verified records."""
