"""``python -m topicsflow`` is the ``topicsflow`` command."""

import sys

from topicsflow.cli import main

sys.exit(main())
