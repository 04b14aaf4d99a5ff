"""`python -m bench`: run the benchmark (settings from BENCH_* environment variables)."""

from bench.run import main

# Guarded: the load generator's processes are started with "spawn" and import this module.
if __name__ == "__main__":
    raise SystemExit(main())
