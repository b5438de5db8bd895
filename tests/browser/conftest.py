"""A real demo server (``atd demo`` in a subprocess) and Debian's chromium driven by Playwright."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import free_port, service_missing

CHROMIUM = "/usr/bin/chromium"
# Without these, chromium tries to reach Google's hosts, which this network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
_CREDENTIAL = re.compile(r"^\s+(\S+)\t(\S+)$")


@dataclass
class DemoServer:
    url: str
    passwords: dict[str, str]
    workdir: Path


def _wait_ready(url: str, process: subprocess.Popen[str], timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"atd demo exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError("the demo server did not answer in time")


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    """``atd demo`` on the embedded default in an empty folder, as a new user would run it."""
    workdir = tmp_path_factory.mktemp("demo")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATD_")}
    log = (workdir / "demo.log").open("w+", encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "core.cli", "demo", "--port", str(port)],
        cwd=workdir,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url, process)
        log.seek(0)
        passwords = {m.group(1): m.group(2) for m in map(_CREDENTIAL.match, log) if m}
        yield DemoServer(url, passwords, workdir)
    except Exception:
        log.seek(0)
        print(log.read())
        raise
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        service_missing("Debian's chromium", FileNotFoundError(CHROMIUM))
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="fr-FR")
    tab = context.new_page()
    yield tab
    context.close()


def screenshot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def first_login(page: Any, server: DemoServer, login: str, new_password: str) -> None:
    """Log in with the one-time password ``atd demo`` printed, then choose ``new_password``."""
    assert login in server.passwords, server.passwords
    page.goto(server.url + "/")
    page.get_by_label("Identifiant").fill(login)
    page.get_by_label("Mot de passe").fill(server.passwords[login])
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/mot-de-passe")
    assert "provisoire" in page.content()
    page.get_by_label("Mot de passe actuel").fill(server.passwords[login])
    page.get_by_label("Nouveau mot de passe (10 caractères au moins)").fill(new_password)
    page.get_by_label("Confirmez le nouveau mot de passe").fill(new_password)
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url(server.url + "/")
