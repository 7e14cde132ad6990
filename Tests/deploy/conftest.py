"""Fixtures of the deployment checks: the binary's own description (`reminders
describe`, run once per session) and the parsed deployment files."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

import deploy_checks as checks

from deploy_checks import KUSTOMIZATIONS, PROJECT_ROOT, project_path


@pytest.fixture(scope="session")
def root() -> Path:
    return PROJECT_ROOT


@pytest.fixture(scope="session")
def describe() -> checks.Describe:
    binary = Path(os.environ.get("REMINDERS_BIN", ".build/debug/reminders"))
    if not binary.is_absolute():
        binary = PROJECT_ROOT / binary
    if not binary.exists():
        pytest.fail(f"{binary} not found: build it (swift build --product reminders) or set REMINDERS_BIN")
    result = subprocess.run([str(binary), "describe"], capture_output=True, text=True, timeout=60, cwd=PROJECT_ROOT)
    assert result.returncode == 0, f"reminders describe exited {result.returncode}: {result.stderr}"
    return checks.Describe(json.loads(result.stdout))


@pytest.fixture(scope="session")
def env_example_text() -> str:
    return project_path(".env.example").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def env_example(env_example_text: str) -> dict[str, str]:
    values, _, _ = checks.parse_env_file(env_example_text)
    return values


@pytest.fixture(scope="session")
def compose_text() -> str:
    return project_path("docker-compose.yml").read_text(encoding="utf-8")


@pytest.fixture()
def compose(compose_text: str, env_example: dict[str, str]) -> dict:
    """docker-compose.yml as `docker-compose --env-file .env.example` reads it (anchors merged,
    ${...} interpolated); a fresh copy per test, so a test may mutate it."""
    return checks.interpolate(yaml.safe_load(compose_text), env_example)


@pytest.fixture()
def compose_demo(compose_text: str) -> dict:
    """docker-compose.yml as it runs without a .env: the ${NAME:-default} defaults."""
    return checks.interpolate(yaml.safe_load(compose_text), {})


@pytest.fixture(scope="session")
def topics() -> dict:
    return checks.load_topics(project_path("topics"))


@pytest.fixture(params=KUSTOMIZATIONS)
def kustomization(request) -> checks.Kustomization:
    return checks.Kustomization(project_path(request.param))


@pytest.fixture()
def dashboard() -> dict:
    return json.loads(project_path("deploy/grafana/reminders-dashboard.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def dockerfile_text() -> str:
    return project_path("deploy", "Dockerfile").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def backtracer(dockerfile_text: str) -> str | None:
    """Where the image holds swift-backtrace (None: it ships none)."""
    return checks.dockerfile_backtracer_path(dockerfile_text)


@pytest.fixture(scope="session")
def deploy_readme() -> str:
    return project_path("deploy", "README.md").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def base_config_text() -> str:
    return project_path("deploy", "kubernetes", "base", "config.env").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def compose_v2() -> list[str]:
    """The command of a Docker Compose v2; the test is skipped, saying how to install one, without it."""
    command = checks.compose_v2_command()
    if command is None:
        pytest.skip("no Docker Compose v2 here, so the compose file is not validated by v2 "
                    f"(docker-compose 1.29 is v1 and does not build with bake). Install: {checks.COMPOSE_V2_INSTALL}")
    return command


@pytest.fixture(scope="session")
def kubectl() -> str:
    path = shutil.which("kubectl")
    if path is None:
        pytest.skip("kubectl is not installed, so kustomize's own rendering of the manifests is not checked")
    return path
