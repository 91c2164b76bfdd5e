"""The build benchmark behind ``benchmarks/bench.py``: common, tools, measure, report."""
