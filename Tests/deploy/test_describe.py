"""The description the other checks compare against has the shape they rely on."""
import deploy_checks as checks


def test_describe_lists_roles_paths_variables_and_metrics(describe):
    assert checks.describe_shape_problems(describe) == []


def test_describe_has_every_long_running_role_of_the_pipeline(describe):
    names = {role["name"] for role in describe.services}
    assert {"relay", "scheduler", "dispatcher", "email", "mattermost", "webhook", "gateway"} <= names


def test_consumer_roles_consume_topics_that_exist(describe, topics):
    references = [(role["name"], t) for role in describe.consumers for t in role["consumes"]]
    assert references, "describe lists no consumer role"
    assert checks.topic_reference_problems(references, topics) == []


def test_every_topic_defined_is_consumed_or_a_dead_letter_topic(describe, topics):
    assert checks.unconsumed_topic_problems(describe, topics) == []
