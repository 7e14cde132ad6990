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
    compose["services"]["email"]["command"] = ["worker", "mattermost"]
    assert any_mentions(checks.compose_role_problems(compose, describe), "email", "runs role mattermost")


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
    compose["services"]["mattermost"]["ports"] = ["9090:9090"]
    problems = checks.compose_health_problems(compose, describe)
    assert any_mentions(problems, "email", "container_name")
    assert any_mentions(problems, "mattermost", "ports")


def test_compose_check_flags_dependencies_without_conditions(compose):
    compose["services"]["relay"]["depends_on"] = ["migrate"]
    compose["services"]["scheduler"]["depends_on"] = {"migrate": {"condition": "service_started"}}
    problems = checks.compose_dependency_problems(compose)
    assert any_mentions(problems, "relay", "without conditions")
    assert any_mentions(problems, "scheduler", "service_started")


def every_service_builds(compose):
    """The compose file as it was: each service on our image with its own build section."""
    for service in checks.our_compose_services(compose).values():
        service["build"] = {"context": ".", "dockerfile": "deploy/Dockerfile"}
    return compose


def test_compose_image_check_flags_parallel_builds_of_one_tag(compose):
    problems = checks.compose_image_problems(every_service_builds(compose))
    assert any_mentions(problems, "compose services build the image", "relay", "migrate")


def test_compose_image_check_flags_a_pull_and_a_service_that_skips_the_builder(compose):
    compose["services"]["relay"].pop("pull_policy")
    compose["services"]["topics"]["depends_on"].pop("reminders-image")
    compose["services"]["scheduler"]["image"] = "case-reminders:other"
    problems = checks.compose_image_problems(compose)
    assert any_mentions(problems, "relay", "pull_policy")
    assert any_mentions(problems, "topics", "does not depend on reminders-image")
    assert any_mentions(problems, "scheduler", "case-reminders:other")
    # relay still reaches the builder through migrate.
    assert not any_mentions(problems, "relay", "does not depend")


def test_bake_check_flags_two_targets_with_one_tag():
    bake = {"target": {"relay": {"tags": ["case-reminders:local"]}, "migrate": {"tags": ["case-reminders:local"]}}}
    assert any_mentions(checks.bake_problems(bake), "2 bake targets", "case-reminders:local", "migrate, relay")
    assert checks.bake_problems({"target": {"reminders-image": {"tags": ["case-reminders:local"]}}}) == []


def test_compose_v2_bakes_every_service_that_builds(root, compose_text, compose_v2):
    """Compose v2 itself, on the file as it was: one bake target per service, all with one tag."""
    broken = every_service_builds(yaml.safe_load(compose_text))
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "docker-compose.yml"
        path.write_text(yaml.safe_dump(broken), encoding="utf-8")
        shutil.copytree(root / "deploy", Path(directory) / "deploy")
        result = checks.run_compose_v2(compose_v2, path, Path(directory), "build", "--print")
    assert result.returncode == 0, result.stderr
    assert any_mentions(checks.bake_problems(json.loads(result.stdout)), "bake targets build case-reminders:local")


def test_compose_v2_config_rejects_a_broken_file(root, compose_text, compose_v2):
    broken = yaml.safe_load(compose_text)
    broken["services"]["relay"]["depends_on"] = {"nonexistent": {"condition": "service_healthy"}}
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "docker-compose.yml"
        path.write_text(yaml.safe_dump(broken), encoding="utf-8")
        shutil.copytree(root / "deploy", Path(directory) / "deploy")
        result = checks.run_compose_v2(compose_v2, path, Path(directory), "config", "--quiet")
    assert result.returncode != 0
    assert "nonexistent" in result.stderr


def test_compose_replication_check_flags_an_unstated_or_impossible_factor(compose, describe):
    compose["services"]["topics"]["environment"].pop("KAFKA_TOPIC_REPLICATION_FACTOR")
    assert any_mentions(checks.compose_replication_problems(compose, describe), "topics", "KAFKA_TOPIC_REPLICATION_FACTOR")
    compose["services"]["topics"]["environment"]["KAFKA_TOPIC_REPLICATION_FACTOR"] = "3"
    assert any_mentions(checks.compose_replication_problems(compose, describe), "'3'", "1 broker")


def test_compose_infrastructure_check_flags_socket_health_and_kafka_without_volume(compose):
    compose["services"]["postgres"]["healthcheck"]["test"] = ["CMD-SHELL", "pg_isready -U reminders -d reminders"]
    compose["services"]["kafka"].pop("volumes")
    problems = checks.compose_infrastructure_problems(compose)
    assert any_mentions(problems, "postgres", "unix socket")
    assert any_mentions(problems, "kafka", "/var/lib/kafka/data", "named volume")
    compose["services"]["kafka"]["environment"].pop("KAFKA_LOG_DIRS")
    compose["services"]["postgres"]["healthcheck"]["test"] = ["CMD", "pg_isready", "-h", "127.0.0.1", "-U", "reminders"]
    problems = checks.compose_infrastructure_problems(compose)
    assert any_mentions(problems, "kafka", "/tmp/kafka-logs")
    assert any_mentions(problems, "postgres", "database reminders")


def test_compose_fetch_wait_check_flags_ten_milliseconds(compose_demo):
    compose_demo["services"]["dispatcher"]["environment"]["KAFKA_FETCH_WAIT_MAX_MS"] = "10"
    assert any_mentions(checks.compose_fetch_wait_problems(compose_demo), "dispatcher", "100 times a second")


def test_backtrace_check_flags_no_setting_a_waiting_backtracer_and_a_wrong_path(compose, describe, backtracer):
    compose["services"]["relay"]["environment"].pop("SWIFT_BACKTRACE")
    compose["services"]["email"]["environment"]["SWIFT_BACKTRACE"] = "enable=yes,threads=all,sanitize=yes"
    compose["services"]["mattermost"]["environment"]["SWIFT_BACKTRACE"] = (
        "enable=yes,interactive=no,threads=all,sanitize=yes,swift-backtrace=/usr/libexec/swift/linux/swift-backtrace")
    problems = checks.compose_backtrace_problems(compose, describe, backtracer)
    assert any_mentions(problems, "relay", "no SWIFT_BACKTRACE")
    assert any_mentions(problems, "email", "interactive")
    assert any_mentions(problems, "mattermost", "/usr/libexec/swift/linux/swift-backtrace")
    assert checks.dockerfile_backtracer_path("FROM x\nENV SWIFT_BACKTRACE=enable=yes\n") is None
    assert any_mentions(checks.compose_backtrace_problems(compose, describe, None), "gateway", "ships no swift-backtrace")


def test_compose_role_check_still_flags_a_service_that_runs_the_binary_wrongly(compose, describe):
    compose["services"]["reminders-image"]["entrypoint"] = ["reminders"]
    assert any_mentions(checks.compose_role_problems(compose, describe), "reminders-image", "no role")


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
    k.objects.append({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "reminders-secrets"},
                      "stringData": {"DATABASE_URL": "x", "SMTP_PASSWORD": "x"}})
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
    objects["reminders-worker-webhook"]["spec"]["triggers"][0]["metadata"]["bootstrapServers"] = "elsewhere:9092"
    objects["reminders-worker-mattermost"]["spec"]["maxReplicaCount"] = 20
    problems = checks.keda_problems(k, describe, topics)
    assert any_mentions(problems, "reminders-dispatcher", "consumerGroup")
    assert any_mentions(problems, "reminders-worker-email", "topic")
    assert any_mentions(problems, "reminders-worker-webhook", "bootstrapServers")
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


def test_topic_check_flags_a_topic_no_role_consumes(describe, topics):
    """A topic file left behind when its consumer role was removed (with its dead-letter topic)."""
    more = dict(topics)
    more["reminders.deliver.pager"] = {"name": "reminders.deliver.pager", "partitions": 8,
                                       "dead_letter_topic": "reminders.deliver.pager.dlq"}
    more["reminders.deliver.pager.dlq"] = {"name": "reminders.deliver.pager.dlq", "partitions": 1, "dead_letter_topic": None}
    problems = checks.unconsumed_topic_problems(describe, more)
    assert any_mentions(problems, "reminders.deliver.pager,", "no role consumes")
    assert any_mentions(problems, "reminders.deliver.pager.dlq,", "no role consumes")
    assert not any_mentions(problems, "reminders.fired")


def job(k, name):
    return next(o for o in k.of_kind("Job") if o["metadata"]["name"] == name)


def test_job_config_check_flags_a_job_on_the_hashed_configmap(root):
    k = base_copy(root)
    job(k, "reminders-migrate")["spec"]["template"]["spec"]["containers"][0]["envFrom"] = [{"configMapRef": {"name": "reminders-config"}}]
    assert any_mentions(checks.job_config_problems(k), "reminders-migrate", "reminders-config", "immutable")


def test_job_config_check_flags_a_jobs_configmap_that_differs(root):
    k = checks.Kustomization(root / "deploy" / "kubernetes" / "overlays" / "example")
    k.config["reminders-jobs-config"]["KAFKA_TOPIC_PREFIX"] = ""
    assert any_mentions(checks.job_config_problems(k), "reminders-topics", "KAFKA_TOPIC_PREFIX")


def test_job_config_check_flags_a_hashing_generator(root):
    with tempfile.TemporaryDirectory() as directory:
        copy_root = Path(directory) / "kubernetes"
        shutil.copytree(root / "deploy" / "kubernetes", copy_root)
        path = copy_root / "base" / "kustomization.yaml"
        kustomization = yaml.safe_load(path.read_text(encoding="utf-8"))
        for generator in kustomization["configMapGenerator"]:
            generator.pop("options", None)
        path.write_text(yaml.safe_dump(kustomization), encoding="utf-8")
        problems = checks.job_config_problems(checks.Kustomization(copy_root / "overlays" / "example"))
    assert any_mentions(problems, "reminders-topics", "reminders-jobs-config", "changes with its content")


def test_rendered_jobs_change_with_the_config_when_they_read_the_hashed_configmap(root, kubectl):
    with tempfile.TemporaryDirectory() as directory:
        copy_root = Path(directory) / "kubernetes"
        shutil.copytree(root / "deploy" / "kubernetes", copy_root)
        path = copy_root / "base" / "job-migrate.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace("name: reminders-jobs-config", "name: reminders-config"),
                        encoding="utf-8")
        assert checks.jobs_changed_by_config(kubectl, copy_root, "overlays/example") == ["reminders-migrate"]


def test_secret_check_flags_a_placeholder_secret_and_a_generator(root):
    k = base_copy(root)
    k.objects.append({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "reminders-secrets"},
                      "stringData": {"DATABASE_URL": "postgresql://reminders:CHANGE-ME@postgres:5432/reminders",
                                     "JWT_SECRET": "CHANGE-ME-not-for-production", "EMAIL_SMTP_PASSWORD": ""}})
    k.secret_generators.append(("reminders-secrets", "test"))
    problems = checks.secret_problems(k)
    assert any_mentions(problems, "Secret reminders-secrets", "placeholders in DATABASE_URL, JWT_SECRET", "kubectl create secret")
    assert any_mentions(problems, "secretGenerator reminders-secrets")
    k.objects[-1]["stringData"] = {"DATABASE_URL": "postgresql://real"}
    assert any_mentions(checks.secret_problems(k), "Secret reminders-secrets is part of the manifests")


def test_secret_documentation_check_flags_a_missing_command_or_key(root, deploy_readme):
    k = base_copy(root)
    problems = checks.secret_documentation_problems(k, deploy_readme.replace("--from-literal=JWT_SECRET=", "--from-literal=JWT="))
    assert any_mentions(problems, "lacks --from-literal=JWT_SECRET=")
    problems = checks.secret_documentation_problems(k, deploy_readme.replace("create secret generic", "create secret"))
    assert any_mentions(problems, "does not show", "reminders-secrets")


def test_replication_check_flags_one_replica_and_an_unexplained_setting(root, base_config_text):
    k = base_copy(root)
    k.config["reminders-config"]["KAFKA_TOPIC_REPLICATION_FACTOR"] = "1"
    k.config_sources.append(("reminders-config", "KAFKA_TOPIC_REPLICATION_FACTOR", "test"))
    job(k, "reminders-topics")["spec"]["template"]["spec"]["containers"][0].setdefault("env", []).append(
        {"name": "KAFKA_TOPIC_REPLICATION_FACTOR", "value": "1"})
    problems = checks.replication_problems(k, base_config_text)
    assert any_mentions(problems, "ConfigMap reminders-config", "KAFKA_TOPIC_REPLICATION_FACTOR=1")
    assert any_mentions(problems, "Job reminders-topics", "KAFKA_TOPIC_REPLICATION_FACTOR=1")
    unexplained = "\n".join(line for line in base_config_text.splitlines() if "KAFKA_TOPIC_REPLICATION_FACTOR" not in line)
    assert any_mentions(checks.replication_problems(base_copy(root), unexplained), "does not explain")


def test_deployment_check_flags_a_gateway_without_prestop_pause_or_grace(root, describe):
    k = base_copy(root)
    container = deployment(k, "reminders-gateway")["spec"]["template"]["spec"]["containers"][0]
    container.pop("lifecycle")
    assert any_mentions(checks.deployment_problems(k, describe), "reminders-gateway", "preStop")
    container["lifecycle"] = {"preStop": {"sleep": {"seconds": 20}}}
    deployment(k, "reminders-gateway")["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] = 30
    assert any_mentions(checks.deployment_problems(k, describe), "reminders-gateway", "terminationGracePeriodSeconds 30")


def test_kubernetes_backtrace_check_flags_a_missing_setting(root, backtracer):
    k = base_copy(root)
    k.config["reminders-config"].pop("SWIFT_BACKTRACE")
    assert any_mentions(checks.kubernetes_backtrace_problems(k, backtracer), "reminders-config", "no SWIFT_BACKTRACE")


def test_install_step_check_flags_a_missing_or_wrong_label():
    objects = [{"kind": "Deployment", "metadata": {"name": "a", "labels": {}}},
               {"kind": "ScaledObject", "metadata": {"name": "b", "labels": {checks.INSTALL_STEP_LABEL: "services"}}},
               {"kind": "Job", "metadata": {"name": "c", "labels": {checks.INSTALL_STEP_LABEL: "services"}}}]
    problems = checks.install_step_problems(objects)
    assert any_mentions(problems, "Deployment a", "None")
    assert any_mentions(problems, "ScaledObject b", "expected autoscaling")
    assert any_mentions(problems, "Job c", "migrate or topics")


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
