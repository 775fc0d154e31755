"""The GitHub workflow tests with the README's command, builds the book and publishes it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = ROOT / ".github" / "workflows" / "book.yml"


@pytest.fixture(scope="module")
def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def _triggers(workflow: dict) -> dict:
    # YAML 1.1 (PyYAML) reads the key `on` as the boolean True.
    triggers = workflow.get("on", workflow.get(True))
    if isinstance(triggers, str):
        return {triggers: None}
    if isinstance(triggers, list):
        return dict.fromkeys(triggers)
    return triggers or {}


def _steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def _runs(workflow: dict) -> list[str]:
    return [line.strip() for step in _steps(workflow) for line in step.get("run", "").splitlines()]


def _uses(workflow: dict, action: str) -> list[dict]:
    return [step for step in _steps(workflow) if step.get("uses", "").split("@")[0] == action]


def test_runs_on_push_and_pull_request(workflow: dict) -> None:
    triggers = _triggers(workflow)
    assert "push" in triggers and "pull_request" in triggers


def test_runs_the_readme_test_command_then_builds_the_book(workflow: dict) -> None:
    runs = _runs(workflow)
    assert "make test" in runs, "the workflow must run the README's test command"
    assert "make book" in runs, "the workflow must build the book with `make book`"
    assert runs.index("make test") < runs.index("make book")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make test" in readme and "make book" in readme


def test_uses_python_3_11_on_ubuntu(workflow: dict) -> None:
    setup = _uses(workflow, "actions/setup-python")
    assert setup and str(setup[0]["with"]["python-version"]) == "3.11"
    build_jobs = [job for job in workflow["jobs"].values()
                  if any("make test" in step.get("run", "") for step in job.get("steps", []))]
    assert build_jobs and all(job["runs-on"].startswith("ubuntu") for job in build_jobs)


def test_publishes_build_html_to_pages_from_main_only(workflow: dict) -> None:
    upload = _uses(workflow, "actions/upload-pages-artifact")
    assert upload, "no actions/upload-pages-artifact step"
    assert upload[0]["with"]["path"].rstrip("/") == "_build/html"
    assert "refs/heads/main" in upload[0].get("if", "")

    deploy_jobs = [job for job in workflow["jobs"].values()
                   if any(step.get("uses", "").startswith("actions/deploy-pages@")
                          for step in job.get("steps", []))]
    assert len(deploy_jobs) == 1, "one job must deploy with actions/deploy-pages"
    deploy = deploy_jobs[0]
    assert "refs/heads/main" in deploy.get("if", "") and "push" in deploy.get("if", "")
    assert deploy.get("needs"), "deploy must wait for the tests and the build"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
