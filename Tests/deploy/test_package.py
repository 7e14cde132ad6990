import deploy_checks as checks


def test_every_package_dependency_is_pinned_exactly():
    text = checks.project_path("Package.swift").read_text()
    assert checks.package_pin_problems(text) == []


def test_package_check_flags_a_range_and_a_from():
    text = checks.project_path("Package.swift").read_text()
    floating = text.replace('exact: "', 'from: "', 1)
    problems = checks.package_pin_problems(floating)
    assert len(problems) == 1 and "from:" in problems[0]
    ranged = '.package(url: "https://example.test/a.git", "1.0.0"..<"2.0.0"),'
    assert checks.package_pin_problems(ranged) != []
    assert checks.package_pin_problems("") != []
