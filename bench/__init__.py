"""Benchmarks: each module prints one summary line and writes bench/results/<name>.json."""
