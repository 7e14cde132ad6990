"""The image: one for every role, non-root, with what the binary reads at run time."""
import re

from deploy_checks import project_path


def dockerfile() -> str:
    return project_path("deploy", "Dockerfile").read_text(encoding="utf-8")


def test_image_runs_the_binary_as_a_non_root_user():
    text = dockerfile()
    assert re.search(r'^ENTRYPOINT \["reminders"\]$', text, re.M)
    users = re.findall(r"^USER (\S+)", text, re.M)
    assert users and not users[-1].startswith(("root", "0")), users


def test_image_holds_resources_migrations_and_topics_beside_the_binary():
    text = dockerfile()
    assert "--product reminders" in text and "--static-swift-stdlib" in text
    assert "*.resources" in text
    assert re.search(r"^COPY migrations \./migrations$", text, re.M)
    assert re.search(r"^COPY topics \./topics$", text, re.M)
    assert re.search(r"^WORKDIR /app$", text, re.M)


def test_dockerignore_lets_in_what_the_build_copies():
    ignored = project_path("deploy", "Dockerfile.dockerignore").read_text(encoding="utf-8")
    for needed in ("!Package.swift", "!Sources/", "!Tests/", "!migrations/", "!topics/"):
        assert needed in ignored, needed
