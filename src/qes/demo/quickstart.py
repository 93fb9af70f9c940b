"""The quickstart demo: a project holding the reference list of review 000 (Sandhu et al. 2015,
'Reciprocity in therapeutic relationships: a conceptual review') as records, with an owner
account, so `make run` opens a workbench with something real in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from qes.services.importing import import_file
from qes.services.project import CONFIG_NAME, init_project, open_project
from qes.services.users import add_member, add_user

DATA = Path(__file__).resolve().parent / "data"
DEMO_EMAIL = "demo@qes.local"
DEMO_PASSWORD = "qes-demo-password"


@dataclass(frozen=True)
class DemoInfo:
    root: Path
    created: bool
    records: int
    email: str
    password: str


def build_quickstart(directory: Path, *, if_missing: bool = False) -> DemoInfo:
    """Create the demo project in `directory` (or reuse it when `if_missing` and it exists)."""
    if if_missing and (directory / CONFIG_NAME).exists():
        project = open_project(directory)
        created = False
        records = 0
    else:
        project = init_project(directory, name="Reciprocity in therapeutic relationships (demo)", actor=DEMO_EMAIL)
        created = True
        result = import_file(
            project,
            DATA / "reciprocity_references.ris",
            source="Reference list (Sandhu et al. 2015)",
            searched="2015-02-28",
        )
        records = result.imported
    try:
        add_user(project.store, DEMO_EMAIL, password=DEMO_PASSWORD, name="Demo owner", actor=DEMO_EMAIL, project_id=project.id)
        add_member(project, DEMO_EMAIL, role="owner", name="Demo owner")
    finally:
        project.close()
    return DemoInfo(directory.resolve(), created, records, DEMO_EMAIL, DEMO_PASSWORD)
