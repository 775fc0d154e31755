"""Settings shared by every test.

matplotlib draws with Agg inside the test process. The backend is set in-process
and NOT through the MPLBACKEND environment variable: kernels that tests start
(nbval, the book build, JupyterLab) inherit the environment, and a kernel with
MPLBACKEND=Agg shows no figures.
"""

import matplotlib

matplotlib.use("Agg")


import pytest  # noqa: E402


@pytest.fixture(scope="session")
def chromium_browser():
    """One headless Debian chromium for the whole session, shared by the browser tests.

    Playwright's sync API allows one running instance per thread, so the book's and
    JupyterLab's tests cannot each start their own. Skips, with the reason, when
    chromium is not installed.
    """
    import browser

    if browser.chromium_path() is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium; "
                    "'bash scripts/setup.sh test' does it when run as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = browser.launch_chromium(playwright)
        try:
            yield chromium
        finally:
            chromium.close()
