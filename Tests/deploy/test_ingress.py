import copy

import deploy_checks as checks


def test_ingress_keeps_internal_endpoints_inside(kustomization):
    assert checks.ingress_exposure_problems(kustomization.objects) == []


def test_ingress_check_flags_a_catch_all_and_an_exact_metrics_path(kustomization):
    ingress = next(obj for obj in kustomization.objects if obj.get("kind") == "Ingress")
    catch_all = copy.deepcopy(ingress)
    catch_all["spec"]["rules"][0]["http"]["paths"] = [{"path": "/", "pathType": "Prefix"}]
    problems = checks.ingress_exposure_problems([catch_all])
    assert any("/metrics" in p for p in problems) and any("/readyz" in p for p in problems)
    exact = copy.deepcopy(ingress)
    exact["spec"]["rules"][0]["http"]["paths"].append({"path": "/metrics", "pathType": "Exact"})
    assert checks.ingress_exposure_problems([exact]) == [f"Ingress {ingress['metadata']['name']}: path /metrics (Exact) publishes /metrics"]
    # A prefix that only looks alike does not publish it.
    alike = copy.deepcopy(ingress)
    alike["spec"]["rules"][0]["http"]["paths"] = [{"path": "/met", "pathType": "Prefix"}]
    assert checks.ingress_exposure_problems([alike]) == []
