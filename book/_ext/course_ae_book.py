"""Sphinx additions of the course-ae book (listed in _config.yml, sphinx.local_extensions).

1. Lecture numbering. The chapters are the lecture's modules 7.1–7.7, so the numbered
   part of the table of contents starts at 7.1 instead of 1: headings read "7.2.3",
   figures, theorems and exercises "Figure 7.2.1", "Theorem 7.2.1" (with
   ``numfig_secnum_depth: 2``, one counter per chapter). Sphinx numbers a toctree from
   1; this wraps its section numbering and puts ``course_ae_number_prefix`` (7) in
   front of every number it assigns — in the headings, the sidebar, and the numbers
   figures, theorems and exercises are counted under.
2. Distinct download names. ``{download}`` keeps a file's base name, so the exercise
   notebook ``exercises/01_introduction.ipynb`` and the chapter's own notebook download
   ``01_introduction.ipynb`` would overwrite each other in a reader's downloads folder.
   Downloads from ``exercises/`` are served as ``<name>-exercises.ipynb``.
3. Solutions after each chapter in the PDF. In HTML a solution is a dropdown under its
   exercise; in LaTeX the dropdown cannot close, so every solution of a chapter is moved
   to a section "Solutions to the exercises" at the end of that chapter.
4. Chapter numbers in the PDF: LaTeX numbers chapters itself; they read 7.1–7.7, and
   the pages after ``course_ae_appendix_from`` (performance, hosting) A, B.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.environment.collectors.toctree import TocTreeCollector

def _prefixed(number: Any, prefix: int) -> Any:
    return (prefix, *number) if number else number


def _with_prefix(assign: Any) -> Any:
    """Wrap an assign_section_numbers so that the outermost call prefixes every number.

    Sphinx's collector, sphinx_multitoc_numbering's replacement of it and
    sphinx_external_toc's subclass (which calls the others through ``super()`` and then
    renumbers the chapters) each define the method; only the outermost call — the last
    word on the numbers — adds the prefix.
    """
    if getattr(assign, "course_ae_prefixed", False):
        return assign

    def assign_section_numbers(self: TocTreeCollector, env: BuildEnvironment) -> list[str]:
        depth = getattr(env, "_course_ae_numbering_depth", 0)
        env._course_ae_numbering_depth = depth + 1
        try:
            changed = assign(self, env)
        finally:
            env._course_ae_numbering_depth = depth
        return changed if depth else _prefix_numbers(env, changed)

    assign_section_numbers.course_ae_prefixed = True  # type: ignore[attr-defined]
    return assign_section_numbers


def _collector_classes(cls: type = TocTreeCollector) -> list[type]:
    out = [cls]
    for sub in cls.__subclasses__():
        out += _collector_classes(sub)
    return out


def _prefix_numbers(env: BuildEnvironment, changed: list[str]) -> list[str]:
    prefix = env.config.course_ae_number_prefix
    if prefix is None:
        return changed
    for docname, numbers in env.toc_secnumbers.items():
        for anchor, number in numbers.items():
            numbers[anchor] = _prefixed(number, prefix)
        for reference in env.tocs[docname].findall(nodes.reference):
            if reference.get("secnumber"):
                reference["secnumber"] = [prefix, *reference["secnumber"]]
        title = env.titles.get(docname)
        if title is not None and title.get("secnumber"):
            title["secnumber"] = [prefix, *title["secnumber"]]
    # The old numbers were prefixed, the new ones compared with them were not: every
    # numbered page is rewritten, which a full build (make book: --all) does anyway.
    return sorted(set(changed) | set(env.toc_secnumbers))


def install_numbering(app: Sphinx) -> None:
    # At builder-inited every extension's setup has run, including
    # sphinx_multitoc_numbering's, which replaces the method itself: wrap whatever is there.
    for cls in _collector_classes():
        if "assign_section_numbers" in vars(cls):
            cls.assign_section_numbers = _with_prefix(vars(cls)["assign_section_numbers"])

SUFFIX = "-exercises"


def _exercise_download(target: str) -> bool:
    return "exercises" in PurePosixPath(target).parts


def rename_exercise_downloads(app: Sphinx, env: BuildEnvironment) -> None:
    """Give every download from exercises/ the name <stem>-exercises<suffix>."""
    for source, (docnames, dest) in list(env.dlfiles.items()):
        if _exercise_download(source) and SUFFIX not in dest:
            path = PurePosixPath(dest)
            env.dlfiles[source] = (docnames, str(path.with_name(f"{path.stem}{SUFFIX}{path.suffix}")))


def rename_exercise_links(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    for node in doctree.findall(addnodes.download_reference):
        target, filename = node.get("reftarget", ""), node.get("filename", "")
        if filename and _exercise_download(target) and SUFFIX not in filename:
            path = PurePosixPath(filename)
            node["filename"] = str(path.with_name(f"{path.stem}{SUFFIX}{path.suffix}"))


SOLUTIONS_TITLE = "Solutions to the exercises"


def solutions_after_chapters(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """LaTeX only: move each chapter's solutions into a last section of that chapter.

    In the one tree the LaTeX builder assembles, a chapter is the outermost section that
    carries the chapter's ``docname``; its solutions go, in order, into a new section at
    its end.
    """
    if app.builder.format != "latex":
        return
    from sphinx_exercise.nodes import solution_node

    chapters: dict[int, tuple[nodes.section, list[nodes.Node]]] = {}
    for node in list(doctree.findall(solution_node)):
        chapter = _chapter_section(node)
        if chapter is not None:
            chapters.setdefault(id(chapter), (chapter, []))[1].append(node)
    for chapter, solutions in chapters.values():
        for node in solutions:
            node.parent.remove(node)
        name = str(chapter.get("docname", "chapter")).replace("/", "-")
        section = nodes.section(ids=[f"course-ae-solutions-{name}"], docname=chapter.get("docname"))
        section += nodes.title(text=SOLUTIONS_TITLE)
        section.extend(solutions)
        chapter.append(section)


def _chapter_section(node: nodes.Node) -> nodes.section | None:
    """The outermost section above ``node`` that belongs to the same document."""
    found, docname = None, None
    while node is not None:
        if isinstance(node, nodes.section):
            if docname is None:
                docname = node.get("docname")
            if node.get("docname") == docname:
                found = node
        node = node.parent
    return found


def latex_chapter_numbers(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """LaTeX only: chapter numbers as in the HTML book.

    LaTeX numbers every chapter itself. The numbered chapters read 7.1, 7.2, …; a chapter
    that the HTML book leaves unnumbered between them (an interlude) reads I, II, … and
    does not use up a number; from ``course_ae_appendix_from`` on, chapters are
    appendices A, B, ….
    """
    if app.builder.format != "latex":
        return
    prefix, first_appendix = app.config.course_ae_number_prefix, app.config.course_ae_appendix_from
    if prefix is None:
        return
    numbered = {doc for doc, numbers in app.env.toc_secnumbers.items() if numbers.get("")}
    modules = rf"\renewcommand{{\thechapter}}{{{prefix}.\arabic{{chapter}}}}"
    state, interludes = None, 0

    def before(section: nodes.section, latex: str) -> None:
        section.parent.insert(section.parent.index(section), nodes.raw("", latex, format="latex"))

    for section in list(doctree.findall(nodes.section)):
        chapter = section.get("docname")
        if not chapter or _chapter_section(section) is not section:
            continue
        if chapter == first_appendix:
            before(section, r"\renewcommand{\thechapter}{\Alph{chapter}}\setcounter{chapter}{0}")
            break
        if chapter in numbered:
            if state == "interlude":
                before(section, r"\addtocounter{chapter}{-1}" + modules)
            elif state is None:
                before(section, modules)
            state = "module"
        elif state is not None:          # between numbered chapters: an interlude
            interludes += 1
            before(section, rf"\renewcommand{{\thechapter}}{{{_roman(interludes)}}}")
            state = "interlude"


def _roman(n: int) -> str:
    return ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"][n - 1]


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("course_ae_number_prefix", 7, "env")
    app.add_config_value("course_ae_appendix_from", None, "env")
    app.connect("builder-inited", install_numbering, priority=900)
    app.connect("env-updated", rename_exercise_downloads)
    app.connect("doctree-resolved", rename_exercise_links)
    app.connect("doctree-resolved", solutions_after_chapters)
    app.connect("doctree-resolved", latex_chapter_numbers)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
