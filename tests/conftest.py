"""Settings shared by every test.

matplotlib draws with Agg inside the test process. The backend is set in-process
and NOT through the MPLBACKEND environment variable: kernels that tests start
(nbval, the book build, JupyterLab) inherit the environment, and a kernel with
MPLBACKEND=Agg shows no figures.
"""

import matplotlib

matplotlib.use("Agg")
