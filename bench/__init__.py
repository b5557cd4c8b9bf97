"""Benchmarks (`make bench`): figures are printed as ratios against baselines measured in the same run."""
