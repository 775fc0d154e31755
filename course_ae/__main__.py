"""``python -m course_ae``: see :mod:`course_ae.cli`."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
