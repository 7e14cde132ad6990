"""docker-compose.yml and .env.example against `reminders describe`, and compose's own validation."""
import yaml

import deploy_checks as checks

EXPECTED_SERVICES = {"kafka", "postgres", "mailpit", "topics", "migrate", "demo-data", "gateway", "relay",
                     "scheduler", "dispatcher", "email", "mattermost", "frontend"}


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
