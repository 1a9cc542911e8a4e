"""``python -m tests.benchmarks``: run the whole suite (see :mod:`tests.benchmarks.run`)."""

from tests.benchmarks.run import main

raise SystemExit(main())
