"""The publishing workflow parses and does its work through Makefile targets
only, so that what it runs is what ``make test`` runs here."""

import pathlib
import re

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "publish.yml"


def _targets():
    return set(re.findall(r"^([A-Za-z][\w.-]*):", (ROOT / "Makefile").read_text(), re.M))


def test_workflow_parses_and_publishes_on_push_to_main():
    flow = yaml.safe_load(WORKFLOW.read_text())
    on = flow.get("on", flow.get(True))  # YAML 1.1 reads a bare `on` as True
    assert on["push"]["branches"] == ["main"]
    steps = [s for job in flow["jobs"].values() for s in job.get("steps", [])]
    assert any(s.get("uses", "").startswith("actions/deploy-pages") for s in steps)
    upload = [s for s in steps if s.get("uses", "").startswith("actions/upload-pages-artifact")]
    assert upload and upload[0]["with"]["path"] == "_build/html"


def test_every_run_step_is_a_makefile_target():
    flow = yaml.safe_load(WORKFLOW.read_text())
    targets = _targets()
    runs = [s["run"] for job in flow["jobs"].values() for s in job.get("steps", []) if "run" in s]
    assert runs, "the workflow runs nothing"
    for run in runs:
        for line in filter(None, (ln.strip() for ln in run.splitlines())):
            words = line.split()
            assert words[0] == "make", f"step runs {line!r}, not a Makefile target"
            unknown = [w for w in words[1:] if "=" not in w and w not in targets]
            assert not unknown, f"{line!r}: no Makefile target {unknown}"
    assert any("make test" == r.strip() for r in runs)
