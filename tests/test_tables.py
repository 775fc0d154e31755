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
