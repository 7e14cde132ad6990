"""The Grafana dashboard plots only metrics the binary exports."""
import deploy_checks as checks


def test_dashboard_metrics_exist_in_describe(dashboard, describe):
    assert checks.dashboard_problems(dashboard, describe) == []


def test_dashboard_plots_the_pipeline(dashboard):
    expressions = " ".join(expr for _, expr in checks.dashboard_expressions(dashboard))
    for needed in ("reminders_outbox_backlog", "reminders_messages_processed_total", "reminders_messages_failed_total",
                   "reminders_messages_retried_total", "reminders_messages_dead_lettered_total", "reminders_consumer_lag",
                   "reminders_delivery_latency_seconds_bucket", "reminders_scheduler_lateness_seconds_bucket",
                   "reminders_rate_limited_total", "histogram_quantile(0.99", "histogram_quantile(0.5"):
        assert needed in expressions, needed


def test_promql_metric_names_ignore_functions_labels_and_ranges():
    expression = 'histogram_quantile(0.99, sum by (le, channel) (rate(a_seconds_bucket{channel="email"}[$__rate_interval]))) / on(x) b_total'
    assert checks.promql_metric_names(expression) == {"a_seconds_bucket", "b_total"}
