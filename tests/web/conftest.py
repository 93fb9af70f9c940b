"""A project with an owner and a viewer, served by the real app (TestClient or uvicorn)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from qes.services.project import init_project, opened
from qes.services.users import add_member, add_user
from support import OWNER, VIEWER


@pytest.fixture
def web_project(tmp_path: Path) -> Path:
    root = tmp_path / "review"
    project = init_project(root, name="Reciprocity review")
    project.close()
    with opened(root) as p:
        for (email, password), role in ((OWNER, "owner"), (VIEWER, "viewer")):
            add_user(p.store, email, password=password, name=role.title())
            add_member(p, email, role=role)
    return root


GENERATED_RECORDS = 30_000  # about two seconds of import: several progress reports before it ends


@pytest.fixture
def many_records_ris(tmp_path: Path) -> Path:
    """A RIS export large enough that its import is still running while the page polls it."""
    path = tmp_path / "many.ris"
    with path.open("w", encoding="utf-8") as out:
        for i in range(GENERATED_RECORDS):
            out.write(f"TY  - JOUR\nID  - g{i}\nAU  - Doe, Jane\nTI  - Generated record {i}\nPY  - 2001\nER  - \n\n")
    return path


# Seven records: one exact duplicate (same DOI), two pairs alike enough for a person to judge (a
# word of the title differs and one side lacks the journal), and one record alone.
DUPLICATES_CSV = """title,authors,year,journal,volume,issue,pages,doi
Reciprocity and trust in online communities,"Smith, Anna; Jones, Bob",2019,Social Computing,12,3,100-120,10.1234/jsc.2019.001
Reciprocity and trust in online communities,"Smith, Anna; Jones, Bob",2019,Social Computing,12,3,100-120,10.1234/jsc.2019.001
Gift exchange among nurses on hospital wards: a qualitative study,"Garcia, Maria; Lee, Chen",2020,Nursing Inquiry,27,2,,
Gift exchange among nurses in hospital wards: a qualitative study,"Garcia, Maria; Lee, Chen",2020,,,,,
Mutual aid in rural farming cooperatives of northern Ghana,"Owusu, Kwame; Mensah, Ama",2018,World Development,101,,45-60,
Mutual aid within rural farming cooperatives of northern Ghana,"Owusu, Kwame; Mensah, Ama",2018,,,,,
Sharing food with neighbours during lockdown,"Brown, Tom",2021,Appetite,160,,105-110,10.1016/j.appet.2021.105110
"""


@pytest.fixture
def duplicates_csv(tmp_path: Path) -> Path:
    path = tmp_path / "duplicates.csv"
    path.write_text(DUPLICATES_CSV, encoding="utf-8")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def unused_port() -> int:
    return free_port()


@pytest.fixture
def live_server(web_project: Path) -> Iterator[str]:
    from qes.web.app import create_app

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(web_project), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 15
    while not server.started:
        if time.time() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


CHROMIUM = Path("/usr/bin/chromium")  # Debian's chromium (.ci/run installs it); browser downloads are impossible


@pytest.fixture
def page(live_server: str) -> Iterator[object]:
    """A page in a real headless Chromium, pointed at the live server."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is required for the browser tests (.ci/run installs it)")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        context = browser.new_context(base_url=live_server)
        page = context.new_page()
        page.set_default_timeout(15_000)
        yield page
        browser.close()
