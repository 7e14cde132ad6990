"""docker-compose.yml and .env.example against `reminders describe`, and compose's own validation."""
import json
import subprocess

import yaml

import deploy_checks as checks

EXPECTED_SERVICES = {"kafka", "postgres", "mailpit", "reminders-image", "topics", "migrate", "demo-data", "gateway",
                     "relay", "scheduler", "dispatcher", "email", "mattermost", "webhook"}


def test_compose_services_on_our_image_run_existing_roles(compose, describe):
    assert checks.compose_role_problems(compose, describe) == []


def test_compose_sets_only_variables_the_binary_reads(compose, compose_text, describe):
    assert checks.compose_variable_problems(compose, yaml.safe_load(compose_text), describe) == []


def test_compose_healthchecks_request_readiness_on_the_role_port(compose, describe):
    assert checks.compose_health_problems(compose, describe) == []


def test_compose_dependencies_wait_for_health_or_completion(compose):
    assert checks.compose_dependency_problems(compose) == []


def test_env_example_lists_every_variable_with_its_default(env_example_text, describe):
    assert checks.env_example_problems(env_example_text, describe) == []


def test_compose_demo_dry_run_everywhere_but_the_email_worker_which_mails_mailpit(compose_demo):
    services = checks.our_compose_services(compose_demo)
    for name, service in services.items():
        environment = checks.compose_environment(service)
        if name == "email":
            assert environment["REMINDERS_DRY_RUN"] == "false"
            assert environment["EMAIL_SMTP_HOST"] == "mailpit"
            assert environment["EMAIL_SMTP_PORT"] == "1025"
            assert environment["EMAIL_SMTP_USE_TLS"] == "false"
        else:
            assert environment.get("REMINDERS_DRY_RUN", "true") == "true", name
    assert "NOT-FOR-PRODUCTION" in checks.compose_environment(compose_demo["services"]["gateway"])["JWT_SECRET"]


def test_docker_compose_config_accepts_the_file_and_lists_every_service(root, describe):
    result = checks.run_compose_config(root / "docker-compose.yml", root)
    assert result.returncode == 0, result.stderr
    normalised = yaml.safe_load(result.stdout)
    assert set(normalised["services"]) == EXPECTED_SERVICES
    # compose's own reading of the file passes the same checks as ours.
    assert checks.compose_role_problems(normalised, describe) == []
    assert checks.compose_health_problems(normalised, describe) == []
    assert checks.compose_dependency_problems(normalised) == []


def test_compose_builds_the_image_in_one_service_that_the_others_wait_for(compose):
    assert checks.compose_image_problems(compose) == []


def test_compose_topics_job_states_a_replication_factor_one_broker_holds(compose, describe):
    assert checks.compose_replication_problems(compose, describe) == []


def test_compose_postgres_health_over_tcp_and_kafka_data_on_a_volume(compose):
    assert checks.compose_infrastructure_problems(compose) == []


def test_compose_consumers_wait_for_messages_at_the_broker(compose_demo):
    """The demo (no .env): a long-poll that returns when a message arrives, not 100 fetches a second."""
    assert checks.compose_fetch_wait_problems(compose_demo) == []


def test_compose_services_print_backtraces_with_the_image_backtracer(compose, describe, backtracer):
    assert checks.compose_backtrace_problems(compose, describe, backtracer) == []


def test_dot_env_is_ignored_and_env_example_is_not(root):
    ignored = subprocess.run(["git", "check-ignore", "-q", "--no-index", ".env"], cwd=root)
    assert ignored.returncode == 0, ".env (local settings and secrets for docker compose) is not in .gitignore"
    example = subprocess.run(["git", "check-ignore", "-q", "--no-index", ".env.example"], cwd=root)
    assert example.returncode == 1, ".env.example is ignored"


def test_compose_v2_accepts_the_file(root, compose_v2, describe):
    result = checks.run_compose_v2(compose_v2, root / "docker-compose.yml", root, "config", "--format", "json")
    assert result.returncode == 0, result.stderr
    normalised = json.loads(result.stdout)
    assert set(normalised["services"]) == EXPECTED_SERVICES - {"demo-data"}  # demo-data is in the demo profile
    assert checks.compose_image_problems(normalised) == []
    assert checks.compose_dependency_problems(normalised) == []
    assert checks.compose_infrastructure_problems(normalised) == []


def test_compose_v2_bakes_the_image_once(root, compose_v2):
    """What `docker compose up --build` hands to buildx bake: one target per image tag."""
    result = checks.run_compose_v2(compose_v2, root / "docker-compose.yml", root, "build", "--print")
    assert result.returncode == 0, result.stderr
    assert checks.bake_problems(json.loads(result.stdout)) == []
