"""Sample-scan generator: realistic 1975–2005 score-sheet scans with exact ground truth.

Entry points: ``scans.generator.generate_set`` and the Typer app ``scans.cli.app``
(``bangdiem scans generate --out DIR --pages 60 --seed 1``).
"""
