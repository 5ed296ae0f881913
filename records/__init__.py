"""The shared core of bangdiem: domain models, database set-up, settings and Vietnamese text rules.

Every stage (ingest, ocr, review, lookup_api, scans) imports from here instead of keeping its
own copy, so a rule such as "how a name becomes a search key" exists exactly once.
"""
