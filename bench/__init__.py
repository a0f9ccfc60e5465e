"""Benchmarks of mlmeta against the baselines it replaces; the results are docs/benchmarks.md.

    make bench                                   # or: python -m bench --output docs/benchmarks.md
    python -m bench --with-make                  # also times `make synth` and `make test` (minutes)
    python -m bench --only snapshot-calls        # one benchmark
    python -m bench --smoke                      # tiny sizes: checks the code runs, numbers mean nothing
    python -m bench --only mlflow-side-by-side --mlflow-sizes 1000,10000   # lake vs a real MLflow server
    python -m bench.compare OLD.md docs/benchmarks.md   # which ratios got worse by more than 10% since OLD

Benchmarks are not tests: they print numbers, and every figure sits next to a baseline measured in
the same run on the same machine, so the ratio is what compares across machines.

Adding a benchmark: one module in this package that defines ``BENCHMARK = Benchmark(...)`` (see
``bench.model``), whose ``run(options)`` yields ``Row``s, and one line in ``bench.registry.BENCHMARKS``.
The table, docs/benchmarks.md and ``--only`` pick it up from there.
"""
