"""The image: one for every role, non-root, with what the binary reads at run time."""
import re

import deploy_checks as checks
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


def test_image_ships_the_static_crash_backtracer_and_points_the_runtime_at_it():
    """The binary links the standard library statically, so the runtime finds no swift-backtrace
    on its own: the image copies the toolchain's static one and names it in SWIFT_BACKTRACE."""
    text = dockerfile()
    path = checks.dockerfile_backtracer_path(text)
    assert path is not None, "no ENV SWIFT_BACKTRACE naming a swift-backtrace copied from swift-backtrace-static"
    staged = re.search(r'swift-backtrace-static"? (\S+)', text)
    assert staged, "the build stage does not copy swift-backtrace-static"
    # /staging/ becomes /app/ in the runtime stage.
    assert staged.group(1).replace("/staging/", "/app/") == path, (staged.group(1), path)
    assert re.search(r"^COPY --from=build /staging/ /app/$", text, re.M)
    assert checks.backtrace_problems("Dockerfile", re.search(r'^ENV SWIFT_BACKTRACE="?([^"\n]+)', text, re.M).group(1), path) == []
    runtime = text.split("AS runtime", 1)[1]
    assert "libstdc++6" in runtime  # the Swift runtime in the binary and swift-backtrace-static link it
