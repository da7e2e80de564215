"""The lab: tiny models, small data, ensemble training, measurement tools and the experiment memo.

Imports nothing above it (no claims, runner, grading, reports or figures); experiments build on it.
"""
