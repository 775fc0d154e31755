"""Settings shared by every test: a non-interactive matplotlib backend and fixed threads."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")

import matplotlib  # noqa: E402

matplotlib.use("Agg")
