"""Benchmark scripts (run them as files: see bench/README.md); a package so gunicorn can load bench.settings."""
