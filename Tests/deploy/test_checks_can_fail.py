"""Each check, run on a copy of the real files with one mistake put in, reports that mistake:
the checks above pass because the files are right, not because the checks see nothing."""
import copy
import json
import shutil
import tempfile
from pathlib import Path

import yaml

import deploy_checks as checks


def any_mentions(problems, *words):
    return any(all(word in problem for word in words) for problem in problems)


# ----------------------------------------------------------------------------- compose

def test_compose_check_flags_an_unknown_variable(compose, compose_text, describe):
    compose["services"]["relay"]["environment"]["REMINDERS_TYPO_ENABLED"] = "true"
    problems = checks.compose_variable_problems(compose, yaml.safe_load(compose_text), describe)
    assert any_mentions(problems, "relay", "REMINDERS_TYPO_ENABLED")


def test_compose_check_flags_an_unknown_interpolated_variable(compose, compose_text, describe):
    raw = yaml.safe_load(compose_text)
    raw["services"]["relay"]["image"] = "case-reminders:${REMINDERS_IMAGE_TAG:-local}"
    assert any_mentions(checks.compose_variable_problems(compose, raw, describe), "REMINDERS_IMAGE_TAG")


def test_compose_check_flags_a_command_that_is_no_role(compose, describe):
    compose["services"]["dispatcher"]["command"] = ["dispatch"]
    problems = checks.compose_role_problems(compose, describe)
    assert any_mentions(problems, "dispatcher", "no role")
    assert any_mentions(problems, "no compose service runs the service role dispatcher")


def test_compose_check_flags_a_service_named_after_another_role(compose, describe):
    compose["services"]["email"]["command"] = ["worker", "frontend"]
    assert any_mentions(checks.compose_role_problems(compose, describe), "email", "frontend")


def test_compose_check_flags_a_flag_the_role_does_not_take(compose, describe):
    compose["services"]["relay"]["command"] = ["relay", "--demo"]
    assert any_mentions(checks.compose_role_problems(compose, describe), "relay", "no role")


def test_compose_check_flags_a_healthcheck_on_the_wrong_port_or_path(compose, describe):
    compose["services"]["scheduler"]["healthcheck"]["test"] = ["CMD", "curl", "-f", "http://localhost:9091/readyz"]
    compose["services"]["gateway"]["healthcheck"]["test"] = ["CMD", "curl", "-f", "http://localhost:8000/ready"]
    problems = checks.compose_health_problems(compose, describe)
    assert any_mentions(problems, "scheduler", "9090/readyz")
    assert any_mentions(problems, "gateway", "8000/readyz")


def test_compose_check_follows_a_changed_metrics_port(compose, describe):
    compose["services"]["relay"]["environment"]["METRICS_PORT"] = "9191"
    assert any_mentions(checks.compose_health_problems(compose, describe), "relay", "9191")


def test_compose_check_flags_what_prevents_scaling(compose, describe):
    compose["services"]["email"]["container_name"] = "email"
    compose["services"]["frontend"]["ports"] = ["9090:9090"]
    problems = checks.compose_health_problems(compose, describe)
    assert any_mentions(problems, "email", "container_name")
    assert any_mentions(problems, "frontend", "ports")


def test_compose_check_flags_dependencies_without_conditions(compose):
    compose["services"]["relay"]["depends_on"] = ["migrate"]
    compose["services"]["scheduler"]["depends_on"] = {"migrate": {"condition": "service_started"}}
    problems = checks.compose_dependency_problems(compose)
    assert any_mentions(problems, "relay", "without conditions")
    assert any_mentions(problems, "scheduler", "service_started")


def test_docker_compose_config_rejects_a_broken_file(root, compose_text):
    broken = yaml.safe_load(compose_text)
    broken["services"]["relay"]["depends_on"] = {"nonexistent": {"condition": "service_healthy"}}
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "docker-compose.yml"
        path.write_text(yaml.safe_dump(broken), encoding="utf-8")
        shutil.copytree(root / "deploy", Path(directory) / "deploy")
        result = checks.run_compose_config(path, Path(directory))
    assert result.returncode != 0
    assert "nonexistent" in result.stderr


# ----------------------------------------------------------------------------- .env.example

def test_env_example_check_flags_missing_unknown_and_wrong_default(env_example_text, describe):
    lines = env_example_text.splitlines()
    lines = [line for line in lines if not line.startswith("RELAY_BATCH_SIZE=")]
    lines = [("LOG_LEVEL=debug" if line.startswith("LOG_LEVEL=") else line) for line in lines]
    lines.append("REMINDERS_TYPO=1")
    problems = checks.env_example_problems("\n".join(lines), describe)
    assert any_mentions(problems, "lacks RELAY_BATCH_SIZE")
    assert any_mentions(problems, "LOG_LEVEL", "'debug'")
    assert any_mentions(problems, "REMINDERS_TYPO")


def test_env_example_check_flags_a_secret_without_comment(env_example_text, describe):
    text = env_example_text.replace("\nJWT_SECRET=", "\n\nJWT_SECRET=")
    assert any_mentions(checks.env_example_problems(text, describe), "JWT_SECRET", "comment")


# ----------------------------------------------------------------------------- Kubernetes

def test_kustomization_check_flags_a_missing_file(root):
    with tempfile.TemporaryDirectory() as directory:
        copy_root = Path(directory) / "kubernetes"
        shutil.copytree(root / "deploy" / "kubernetes", copy_root)
        path = copy_root / "base" / "kustomization.yaml"
        kustomization = yaml.safe_load(path.read_text(encoding="utf-8"))
        kustomization["resources"].append("deployment-missing.yaml")
        path.write_text(yaml.safe_dump(kustomization), encoding="utf-8")
        problems = checks.kustomization_problems(copy_root / "overlays" / "example")
    assert any_mentions(problems, "deployment-missing.yaml", "does not exist")


def base_copy(root) -> checks.Kustomization:
    return checks.Kustomization(root / "deploy" / "kubernetes" / "base")


def deployment(k, name):
    return next(o for o in k.of_kind("Deployment") if o["metadata"]["name"] == name)


def test_deployment_check_flags_args_probes_and_annotations(root, describe):
    k = base_copy(root)
    deployment(k, "reminders-relay")["spec"]["template"]["spec"]["containers"][0]["args"] = ["relais"]
    scheduler = deployment(k, "reminders-scheduler")
    scheduler["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["httpGet"]["path"] = "/healthz"
    scheduler["spec"]["template"]["metadata"]["annotations"]["prometheus.io/port"] = "8000"
    gateway = deployment(k, "reminders-gateway")
    gateway["spec"]["template"]["spec"]["containers"][0]["livenessProbe"]["httpGet"]["port"] = 9090
    gateway["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] = 5
    problems = checks.deployment_problems(k, describe)
    assert any_mentions(problems, "reminders-relay", "relais")
    assert any_mentions(problems, "no Deployment runs the service role relay")
    assert any_mentions(problems, "reminders-scheduler", "readinessProbe path")
    assert any_mentions(problems, "reminders-scheduler", "prometheus.io/port")
    assert any_mentions(problems, "reminders-gateway", "livenessProbe port")
    assert any_mentions(problems, "reminders-gateway", "terminationGracePeriodSeconds")


def test_deployment_check_follows_the_configmap_port(root, describe):
    k = base_copy(root)
    k.config["reminders-config"]["METRICS_PORT"] = "9100"
    assert any_mentions(checks.deployment_problems(k, describe), "reminders-dispatcher", "METRICS_PORT=9100")


def test_variable_check_flags_unknown_and_misplaced_variables(root, describe):
    k = base_copy(root)
    k.config_sources.append(("reminders-config", "REMINDERS_TYPO", "test"))
    k.config_sources.append(("reminders-config", "JWT_SECRET", "test"))
    next(s for s in k.of_kind("Secret"))["stringData"]["SMTP_PASSWORD"] = "x"
    deployment(k, "reminders-worker-email")["spec"]["template"]["spec"]["containers"][0]["env"].append(
        {"name": "MATTERMOST_WEBHOOK", "valueFrom": {"secretKeyRef": {"name": "reminders-secrets", "key": "MATTERMOST_WEBHOOK"}}})
    problems = checks.kubernetes_variable_problems(k, describe)
    assert any_mentions(problems, "REMINDERS_TYPO")
    assert any_mentions(problems, "JWT_SECRET", "Secret")
    assert any_mentions(problems, "SMTP_PASSWORD")
    assert any_mentions(problems, "reminders-worker-email", "MATTERMOST_WEBHOOK")


def test_keda_check_flags_wrong_group_topic_servers_and_replicas(root, describe, topics):
    k = base_copy(root)
    objects = {o["metadata"]["name"]: o for o in k.of_kind("ScaledObject")}
    objects["reminders-dispatcher"]["spec"]["triggers"][0]["metadata"]["consumerGroup"] = "reminders-dispatchers"
    objects["reminders-worker-email"]["spec"]["triggers"][0]["metadata"]["topic"] = "reminders.deliver.mattermost"
    objects["reminders-worker-frontend"]["spec"]["triggers"][0]["metadata"]["bootstrapServers"] = "elsewhere:9092"
    objects["reminders-worker-mattermost"]["spec"]["maxReplicaCount"] = 20
    problems = checks.keda_problems(k, describe, topics)
    assert any_mentions(problems, "reminders-dispatcher", "consumerGroup")
    assert any_mentions(problems, "reminders-worker-email", "topic")
    assert any_mentions(problems, "reminders-worker-frontend", "bootstrapServers")
    assert any_mentions(problems, "reminders-worker-mattermost", "partitions")


def test_keda_check_flags_a_consumer_without_scaledobject(root, describe, topics):
    k = base_copy(root)
    k.objects = [o for o in k.objects if not (o["kind"] == "ScaledObject" and o["metadata"]["name"] == "reminders-worker-email")]
    assert any_mentions(checks.keda_problems(k, describe, topics), "consumer role email")


def test_topic_check_flags_an_undefined_topic(root, describe, topics):
    k = base_copy(root)
    k.of_kind("ScaledObject")[0]["spec"]["triggers"][0]["metadata"]["topic"] = "reminders.fire"
    problems = checks.topic_reference_problems(checks.topic_references(describe, k, topics), topics)
    assert any_mentions(problems, "reminders.fire,")
    fewer = dict(topics)
    del fewer["reminders.fired.dlq"]
    assert any_mentions(checks.topic_reference_problems(checks.topic_references(describe, base_copy(root), fewer), fewer),
                        "reminders.fired.dlq")


# ----------------------------------------------------------------------------- Grafana

def test_dashboard_check_flags_unknown_metrics_and_bare_histograms(dashboard, describe):
    mutated = copy.deepcopy(dashboard)
    panels = [p for p in mutated["panels"] if p.get("targets")]
    panels[0]["targets"][0]["expr"] = "sum(reminders_outbox_backlogg)"
    panels[1]["targets"][0]["expr"] = "rate(reminders_delivery_latency_seconds[5m])"
    panels[2]["targets"][0]["expr"] = "rate(reminders_outbox_backlog_bucket[5m])"
    problems = checks.dashboard_problems(mutated, describe)
    assert any_mentions(problems, "reminders_outbox_backlogg")
    assert any_mentions(problems, "reminders_delivery_latency_seconds", "_bucket")
    assert any_mentions(problems, "reminders_outbox_backlog_bucket")


def test_describe_shape_check_flags_a_role_without_port(describe):
    document = json.loads(json.dumps(describe.document))
    next(r for r in document["roles"] if r["name"] == "relay").pop("port")
    assert any_mentions(checks.describe_shape_problems(checks.Describe(document)), "relay", "port")
