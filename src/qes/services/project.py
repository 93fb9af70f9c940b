"""Project folders: `qes.toml` + the database it names. Found upwards from a directory, like git.

review/
  qes.toml          name, slug, database URL (default: the SQLite file beside it)
  qes.sqlite3       the embedded default store
  files/            attached full texts and other project files
"""

from __future__ import annotations

import getpass
import json
import os
import re
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from qes.errors import Conflict, UserError
from qes.store import Store
from qes.store import projects as project_store
from qes.store.events import log_event

CONFIG_NAME = "qes.toml"
DEFAULT_DB = "sqlite:///qes.sqlite3"


@dataclass(frozen=True)
class ProjectConfig:
    root: Path
    name: str
    slug: str
    database: str  # as written in qes.toml (may be relative)

    @property
    def database_url(self) -> str:
        return resolve_database_url(self.database, self.root)


@dataclass
class Project:
    """An open project: its folder, its store and its row id. Pass it to every service function."""

    config: ProjectConfig
    store: Store
    id: int
    actor: str

    @property
    def root(self) -> Path:
        return self.config.root

    @property
    def files_dir(self) -> Path:
        return self.config.root / "files"

    def close(self) -> None:
        self.store.dispose()


def default_actor() -> str:
    """Who the CLI acts as: $QES_USER, or the login name marked as coming from the command line."""
    if os.environ.get("QES_USER"):
        return os.environ["QES_USER"]
    try:
        return f"{getpass.getuser()}@cli"
    except Exception:
        return "unknown@cli"


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug[:100] or "review"


def resolve_database_url(url: str, root: Path) -> str:
    """SQLite paths in qes.toml are relative to the project folder."""
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        rel = url[len("sqlite:///") :]
        return f"sqlite:///{(root / rel).resolve()}"
    return url


def _write_config(root: Path, name: str, slug: str, database: str) -> None:
    # json.dumps yields a valid TOML basic string for any text (escapes quotes and controls).
    text = (
        "# qes project settings\n"
        f"name = {json.dumps(name, ensure_ascii=False)}\n"
        f"slug = {json.dumps(slug)}\n"
        "# The project store: the embedded SQLite file by default, or a team server,\n"
        '# e.g. database = "postgresql://user:password@host/qes"\n'
        f"database = {json.dumps(database)}\n"
    )
    (root / CONFIG_NAME).write_text(text, encoding="utf-8")


def read_config(root: Path) -> ProjectConfig:
    path = root / CONFIG_NAME
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror}") from None
    name = str(data.get("name") or root.name)
    return ProjectConfig(
        root=root,
        name=name,
        slug=str(data.get("slug") or slugify(name)),
        database=str(data.get("database") or DEFAULT_DB),
    )


def find_project_root(start: Path | None = None) -> Path:
    """The nearest folder at or above `start` holding qes.toml."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    raise UserError(f"no qes project at or above {here} (run 'qes init DIR' or pass --project DIR)")


def init_project(directory: Path, *, name: str | None = None, database: str | None = None, actor: str | None = None) -> Project:
    """Create a project folder (or adopt an empty existing one) with its store, migrated."""
    root = directory.resolve()
    if (root / CONFIG_NAME).exists():
        raise Conflict(f"{root} is already a qes project")
    root.mkdir(parents=True, exist_ok=True)
    name = name or root.name
    slug = slugify(name)
    db = database or DEFAULT_DB
    store = Store(resolve_database_url(db, root))
    store.upgrade()
    actor = actor or default_actor()
    with store.transaction() as session:
        if project_store.get_project_by_slug(session, slug) is not None:
            store.dispose()
            raise Conflict(f"a project named {slug!r} already exists in that database; choose another --name")
        row = project_store.create_project(session, slug=slug, name=name)
        log_event(
            session,
            project_id=row.id,
            actor=actor,
            action="project.create",
            entity="project",
            entity_id=row.id,
            data={"name": name},
        )
        project_id = row.id
    (root / "files").mkdir(exist_ok=True)
    _write_config(root, name, slug, db)
    return Project(ProjectConfig(root, name, slug, db), store, project_id, actor)


def open_project(directory: Path | None = None, *, db: str | None = None, actor: str | None = None) -> Project:
    """Open the project at or above `directory`; `db` overrides the database URL of qes.toml."""
    root = find_project_root(directory)
    config = read_config(root)
    if db:
        config = ProjectConfig(root, config.name, config.slug, db)
    store = Store(config.database_url)
    store.upgrade()
    with store.read() as session:
        row = project_store.get_project_by_slug(session, config.slug)
    if row is None:
        # A fresh team database named by --db: create the project in it.
        with store.transaction() as session:
            row = project_store.create_project(session, slug=config.slug, name=config.name)
    return Project(config, store, row.id, actor or default_actor())


@contextmanager
def opened(directory: Path | None = None, *, db: str | None = None, actor: str | None = None) -> Iterator[Project]:
    project = open_project(directory, db=db, actor=actor)
    try:
        yield project
    finally:
        project.close()
