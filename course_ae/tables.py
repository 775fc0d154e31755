"""Results tables for the chapters: HTML in the book (it fits the column and wraps on a
phone), plain text in a terminal.

>>> t = Table(["k", "error"], [[2, 51.234], [32, 9.5]], formats={"error": "{:.2f}"})
>>> print(t)
 k  error
 2  51.23
32   9.50
"""

from __future__ import annotations

import html
from typing import Any, Mapping, Sequence

__all__ = ["Table", "glue"]


class Table:
    """A small table of results: ``columns`` (names), ``rows`` (one sequence per row).

    ``formats`` maps a column name to a format string (``"{:.3f}"``) used for its cells;
    other cells are shown with ``str``. ``caption`` is shown above the table in HTML.
    Displayed by IPython as an HTML ``<table>`` (``_repr_html_``), printed as aligned text.
    """

    def __init__(self, columns: Sequence[str], rows: Sequence[Sequence[Any]], *,
                 formats: Mapping[str, str] | None = None, caption: str | None = None) -> None:
        self.columns = [str(c) for c in columns]
        self.rows = [list(r) for r in rows]
        for i, row in enumerate(self.rows):
            if len(row) != len(self.columns):
                raise ValueError(f"row {i} has {len(row)} cells; the table has {len(self.columns)} "
                                 f"columns {self.columns}")
        self.formats = dict(formats or {})
        unknown = set(self.formats) - set(self.columns)
        if unknown:
            raise ValueError(f"formats name unknown column(s) {sorted(unknown)}; columns are {self.columns}")
        self.caption = caption

    def _cells(self) -> list[list[str]]:
        out = []
        for row in self.rows:
            out.append([self.formats[c].format(v) if c in self.formats else str(v)
                        for c, v in zip(self.columns, row)])
        return out

    def __str__(self) -> str:
        cells = self._cells()
        widths = [max(len(c), *(len(r[j]) for r in cells)) if cells else len(c)
                  for j, c in enumerate(self.columns)]
        lines = ["  ".join(c.rjust(w) for c, w in zip(self.columns, widths))]
        lines += ["  ".join(v.rjust(w) for v, w in zip(r, widths)) for r in cells]
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{html.escape(c)}</th>" for c in self.columns)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in r) + "</tr>"
                       for r in self._cells())
        caption = f"<caption>{html.escape(self.caption)}</caption>" if self.caption else ""
        return (f'<table class="course-ae-results">{caption}<thead><tr>{head}</tr></thead>'
                f"<tbody>{body}</tbody></table>")

    def _repr_latex_(self) -> str:
        def tex(s: str) -> str:
            for a, b in (("\\", r"\textbackslash{}"), ("&", r"\&"), ("%", r"\%"), ("_", r"\_"),
                         ("#", r"\#"), ("$", r"\$")):
                s = s.replace(a, b)
            return s
        rows = [" & ".join(tex(v) for v in r) + r" \\" for r in self._cells()]
        return ("\\begin{tabular}{" + "r" * len(self.columns) + "}\n"
                + " & ".join(tex(c) for c in self.columns) + r" \\ \hline" + "\n"
                + "\n".join(rows) + "\n\\end{tabular}")


_GLUE_PREFIX = "application/papermill.record/"  # myst_nb.ext.glue.GLUE_PREFIX


def glue(name: str, value: Any, display: bool = False) -> None:
    """``myst_nb.glue`` for the book's numbers: NumPy scalars are glued as Python numbers.

    myst-nb formats ``{glue:text}`name:.2f``` from the value's text form, which for a NumPy
    scalar is ``np.float64(0.5)`` and cannot be formatted; ``value.item()`` can.

    It sends the display message ``myst_nb.glue`` sends (the value's mime bundle, each key
    under myst-nb's glue prefix unless ``display``, and ``{"scrapbook": {"name": ...,
    "mime_prefix": ...}}`` in the metadata; a test compares the two), without importing
    ``myst_nb.ext.glue``: that module imports nbformat and with it jsonschema, whose
    first import costs more than a second of CPU in every chapter that glues a number.
    """
    from IPython.core.formatters import format_display_data
    from IPython.display import display as ipy_display

    if hasattr(value, "item") and getattr(value, "ndim", None) == 0:
        value = value.item()
    mimebundle, metadata = format_display_data(value)
    prefix = "" if display else _GLUE_PREFIX
    metadata["scrapbook"] = dict(name=name, mime_prefix=prefix)
    ipy_display({prefix + key: data for key, data in mimebundle.items()}, raw=True,
                metadata=metadata)
