"""The kustomize base and overlay against `reminders describe` and topics/."""
import subprocess

import pytest
import yaml

import deploy_checks as checks
from deploy_checks import KUSTOMIZATIONS, project_path


def test_every_yaml_file_parses(root):
    paths = [root / "docker-compose.yml"] + sorted((root / "deploy").rglob("*.yaml")) + sorted((root / "deploy").rglob("*.yml"))
    assert len(paths) > 10
    for path in paths:
        assert checks.load_yaml_documents(path), f"{path} holds no document"


@pytest.mark.parametrize("directory", KUSTOMIZATIONS)
def test_every_file_a_kustomization_lists_exists(directory):
    assert checks.kustomization_problems(project_path(directory)) == []


def test_deployments_and_jobs_run_roles_with_matching_probes(kustomization, describe):
    assert checks.deployment_problems(kustomization, describe) == []


def test_configmap_secret_and_env_hold_only_variables_the_binary_reads(kustomization, describe):
    assert checks.kubernetes_variable_problems(kustomization, describe) == []


def test_keda_scales_each_consumer_on_its_group_and_topic(kustomization, describe, topics):
    assert checks.keda_problems(kustomization, describe, topics) == []


def test_every_topic_mentioned_is_defined(kustomization, describe, topics):
    prefix = checks.kubernetes_config(kustomization).get("KAFKA_TOPIC_PREFIX", "")
    references = checks.topic_references(describe, kustomization, topics)
    assert checks.topic_reference_problems(references, topics, prefix) == []


def test_gateway_has_service_ingress_hpa_and_every_role_a_pdb(kustomization, describe):
    kinds = {(o["kind"], o["metadata"]["name"]) for o in kustomization.objects}
    assert ("Service", "reminders-gateway") in kinds
    assert ("Ingress", "reminders-gateway") in kinds
    hpa = [o for o in kustomization.of_kind("HorizontalPodAutoscaler") if o["spec"]["scaleTargetRef"]["name"] == "reminders-gateway"]
    assert hpa
    deployments = {o["metadata"]["name"]: o["spec"]["selector"]["matchLabels"] for o in kustomization.of_kind("Deployment")}
    budgets = [o["spec"]["selector"]["matchLabels"] for o in kustomization.of_kind("PodDisruptionBudget")]
    for name, labels in deployments.items():
        assert labels in budgets, f"no PodDisruptionBudget selects Deployment {name}"


def test_jobs_read_no_hashed_configmap_and_the_services_values(kustomization):
    assert checks.job_config_problems(kustomization) == []


def test_no_secret_ships_with_the_manifests(kustomization):
    assert checks.secret_problems(kustomization) == []


def test_readme_shows_how_to_create_the_secret_with_every_key(kustomization, deploy_readme):
    assert checks.secret_documentation_problems(kustomization, deploy_readme) == []


def test_nothing_forces_one_replica_and_the_base_explains_the_setting(kustomization, base_config_text):
    assert checks.replication_problems(kustomization, base_config_text) == []


def test_pods_print_backtraces_with_the_image_backtracer(kustomization, backtracer):
    assert checks.kubernetes_backtrace_problems(kustomization, backtracer) == []


@pytest.mark.parametrize("directory", KUSTOMIZATIONS)
def test_kustomize_builds(directory, root, kubectl):
    """The real kustomize (kubectl's), where kubectl is installed; the checks above read the files without it."""
    result = subprocess.run([kubectl, "kustomize", directory], capture_output=True, text=True, timeout=120, cwd=root)
    assert result.returncode == 0, result.stderr
    objects = [d for d in yaml.safe_load_all(result.stdout) if d]
    kinds = {d["kind"] for d in objects}
    assert {"Deployment", "Job", "ConfigMap", "ScaledObject", "HorizontalPodAutoscaler", "PodDisruptionBudget"} <= kinds
    assert "Secret" not in kinds
    assert checks.install_step_problems(objects) == []
    configmaps = {o["metadata"]["name"] for o in objects if o["kind"] == "ConfigMap"}
    assert "reminders-jobs-config" in configmaps, configmaps


@pytest.mark.parametrize("directory", KUSTOMIZATIONS)
def test_a_config_change_leaves_the_jobs_as_they_were(directory, root, kubectl):
    """kubectl apply -k after a change of config.env: the Jobs render the same, so the apply is not
    refused for them (a Job's pod template is immutable)."""
    overlay = str(project_path(directory).relative_to(root / "deploy" / "kubernetes"))
    assert checks.jobs_changed_by_config(kubectl, root / "deploy" / "kubernetes", overlay) == []
