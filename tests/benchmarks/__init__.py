"""Performance benchmarks (issue 9): ``python -m tests.benchmarks`` (see :mod:`.run`).

Never collected by pytest (``norecursedirs`` excludes this folder): figures are timings on a
shared machine, not pass/fail tests of behaviour.
"""
