import pytest

from course_ae.tables import Table


def test_table_text_html_and_formats():
    t = Table(["model", "error"], [["PCA", 12.3456], ["AE <1>", 9.0]], formats={"error": "{:.2f}"},
              caption="held-out")
    assert str(t).splitlines() == [" model  error", "   PCA  12.35", "AE <1>   9.00"]
    h = t._repr_html_()
    assert "<td>12.35</td>" in h and "AE &lt;1&gt;" in h and "<caption>held-out</caption>" in h
    assert r"12.35 \\" in t._repr_latex_()


def test_table_refuses_ragged_rows_and_unknown_formats():
    with pytest.raises(ValueError, match="row 1 has 1 cells"):
        Table(["a", "b"], [[1, 2], [3]])
    with pytest.raises(ValueError, match="unknown column"):
        Table(["a"], [[1]], formats={"b": "{}"})


def _captured_glue(monkeypatch, glue_function, target, *args, **kwargs):
    sent = []
    monkeypatch.setattr(target, "display" if target.__name__ == "IPython.display"
                        else "ipy_display", lambda *a, **k: sent.append((a, k)))
    glue_function(*args, **kwargs)
    return sent


def test_glue_sends_what_myst_nb_glue_sends(monkeypatch):
    import IPython.display
    import myst_nb.ext.glue as myst_glue
    import numpy as np

    from course_ae.tables import glue

    for value, expected_text in [(0.25, "0.25"), (np.float64(0.5), "0.5"), (3, "3"),
                                 ("1,000", "'1,000'")]:
        for display in (False, True):
            ours = _captured_glue(monkeypatch, glue, IPython.display, "ch-x", value,
                                  display=display)
            plain = value.item() if isinstance(value, np.generic) else value
            theirs = _captured_glue(monkeypatch, myst_glue.glue, myst_glue, "ch-x", plain,
                                    display=display)
            assert ours == theirs
            (bundle,), _ = ours[0]
            prefix = "" if display else "application/papermill.record/"
            assert bundle[prefix + "text/plain"] == expected_text


def test_glue_does_not_import_nbformat():
    # myst_nb.ext.glue imports nbformat and jsonschema: over a second of CPU per chapter.
    import subprocess
    import sys

    code = ("import sys\nfrom course_ae.tables import glue\nglue('x', 0.5)\n"
            "assert 'nbformat' not in sys.modules and 'jsonschema' not in sys.modules, "
            "sorted(m for m in sys.modules if m.startswith(('nbformat', 'jsonschema')))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
