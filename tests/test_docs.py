"""The README stays true: every setting and every command is documented there."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from core.cli import cli
from core.settings import PARSERS, env_name

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("key", sorted(PARSERS))
def test_every_setting_is_in_the_readme(key):
    assert f"`{env_name(key)}`" in README


def _commands(group: click.Group, prefix: str = "atd") -> list[str]:
    names = []
    for name, command in group.commands.items():
        full = f"{prefix} {name}"
        if isinstance(command, click.Group):
            names.extend(_commands(command, full) or [full])
        else:
            names.append(full)
    return names


@pytest.mark.parametrize("command", _commands(cli))
def test_every_command_is_in_the_readme(command):
    assert f"`{command}" in README


def test_every_command_has_a_help_line():
    for command in cli.commands.values():
        assert command.get_short_help_str(), command.name


def test_readme_test_command_is_the_ci_script():
    assert "bash .ci/run" in README
