"""metric_drift's default settings, in one place for mlmeta.analytics, ``mlmeta plot`` and the demo.

Chosen on data: the drift-defaults benchmark (bench/drift_defaults.py, docs/benchmarks.md) measures
false alarms on stable series and detection of planted drops over 2,000 seeds; these are the setting
that stays within its false-alarm budget and detects the most (docs/queries.md has the numbers).
No imports: the CLI reads these while it parses arguments, before pandas or DuckDB load.
"""

# How many previous runs form the baseline (its median and MAD).
DEFAULT_WINDOW = 30
# DRIFT when |value - median| reaches this many robust standard deviations (1.4826 * MAD).
DEFAULT_Z_THRESHOLD = 5.0
# ... and at least this fraction of the median: a change of less than 1% is not drift.
DEFAULT_MIN_CHANGE = 0.01
