"""The Prometheus configuration and alerting rules, checked and unit-tested by the real promtool.

promtool comes with Debian's `prometheus` package (`apt-get install -y prometheus`); set PROMTOOL to
use another binary. Each alert's behaviour is specified in deploy/prometheus/tests/newsfeed.rules.test.yml.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS_DIR = ROOT / "deploy" / "prometheus"
RULES = PROMETHEUS_DIR / "rules" / "newsfeed.rules.yml"
RULE_TESTS = PROMETHEUS_DIR / "tests" / "newsfeed.rules.test.yml"


@pytest.fixture(scope="module")
def promtool() -> str:
    found = os.environ.get("PROMTOOL") or shutil.which("promtool")
    if not found:
        pytest.fail("promtool not found: install Debian's prometheus package (apt-get install -y prometheus)")
    return found


def run(promtool: str, *args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run([promtool, *map(str, args)], cwd=PROMETHEUS_DIR, capture_output=True, text=True,
                          timeout=120)


def test_the_scrape_config_and_its_rule_file_are_valid(promtool):
    checked = run(promtool, "check", "config", "prometheus.yml")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    # promtool loaded every rule of the file, not a part of it.
    rules = re.findall(r"^\s+- (?:alert|record): ", RULES.read_text(), flags=re.MULTILINE)
    assert f"SUCCESS: {len(rules)} rules found" in checked.stdout


def test_every_alert_behaves_as_its_unit_tests_say(promtool):
    tested = run(promtool, "test", "rules", RULE_TESTS)
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "SUCCESS" in tested.stdout


def test_every_alert_has_a_unit_test_that_expects_it_to_fire():
    alerts = re.findall(r"^\s+- alert: (\w+)$", RULES.read_text(), flags=re.MULTILINE)
    tests = RULE_TESTS.read_text()
    firing = {name for name in alerts
              if re.search(rf"alertname: {name}\n\s+eval_time: \S+\n\s+exp_alerts:\n\s+- exp_labels", tests)}
    assert alerts and firing == set(alerts), set(alerts) - firing
