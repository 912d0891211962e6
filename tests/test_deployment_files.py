"""The deployment files (docker-compose.yml, Dockerfile) start with settings the code accepts.

Every environment block of every service built from this repository is interpolated the way
``docker compose`` does (``${VAR:-default}`` ...), laid over the Dockerfile's ``ENV``, and
loaded through ``load_settings``: a default the validation refuses fails here, not at
``docker compose up``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from router.errors import ConfigurationError
from router.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parent.parent
_VARIABLE = re.compile(r"\$\$|\$\{(?P<name>\w+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}|\$(?P<bare>\w+)")


def interpolate(value: str, host: dict[str, str]) -> str:
    """Compose's substitution: ``$$``, ``$VAR``, ``${VAR}``, ``${VAR:-d}``, ``${VAR-d}``,
    ``${VAR:?err}``, ``${VAR?err}`` against the host environment ``host``."""

    def one(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name = match.group("name") or match.group("bare")
        op, arg = match.group("op"), match.group("arg") or ""
        present = name in host
        unset_or_empty = not host.get(name)
        if op in (":-", ":?"):
            missing = unset_or_empty
        else:
            missing = not present
        if missing and op in (":-", "-"):
            return arg
        if missing and op in (":?", "?"):
            raise AssertionError(f"compose would refuse to start: {name}: {arg}")
        return host.get(name, "")

    return _VARIABLE.sub(one, value)


def dockerfile_env() -> dict[str, str]:
    """The ``ENV`` of the image (``ENV A=1 \\ B=2`` form)."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    env: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("ENV "):
            for pair in line[4:].split():
                name, _, value = pair.partition("=")
                env[name] = value
    return env


def _as_dict(environment: Any) -> dict[str, str]:
    if isinstance(environment, list):
        return dict(str(item).partition("=")[::2] for item in environment)
    return {str(k): "" if v is None else str(v) for k, v in (environment or {}).items()}


def compose_environments(host: dict[str, str]) -> dict[str, dict[str, str]]:
    """Each service built from this repository: the environment its container sees."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    image = dockerfile_env()
    blocks = {}
    for name, service in compose["services"].items():
        if "build" not in service:
            continue  # postgres, rabbitmq, redis: not ours
        environment = _as_dict(service.get("environment"))
        blocks[name] = {**image, **{k: interpolate(v, host) for k, v in environment.items()}}
    return blocks


def settings_from(environment: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Settings:
    for name in [n for n in os.environ if n.startswith("AIGUILLAGE_")]:
        monkeypatch.delenv(name)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return load_settings(_env_file=None)  # the container has no .env file


HOSTS = {
    "nothing set on the host": {},
    "a chosen secret key": {"AIGUILLAGE_SECRET_KEY": "k" * 64},
}


@pytest.mark.parametrize("host", HOSTS.values(), ids=HOSTS.keys())
def test_every_compose_environment_passes_the_settings_validation(
    host: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    blocks = compose_environments(host)
    assert {"migrate", "api", "worker"} <= blocks.keys()
    for service, environment in blocks.items():
        assert any(name.startswith("AIGUILLAGE_") for name in environment), service
        settings = settings_from(environment, monkeypatch)
        assert settings.broker_scheme == "amqp", service
        assert settings.database_url.startswith("postgresql+asyncpg://"), service
        # Every process shares the rate limits through the compose file's Redis service.
        assert settings.redis_url == "redis://redis:6379/0", service
        assert settings.log_format == "json", service
        chosen = host.get("AIGUILLAGE_SECRET_KEY")
        key = settings.secret_key.get_secret_value() if settings.secret_key else None
        assert key == chosen, service


def test_a_short_secret_key_in_compose_would_be_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """The check above is not vacuous: the old default is refused by the same path."""
    environment = compose_environments({"AIGUILLAGE_SECRET_KEY": "change-me-in-production"})
    with pytest.raises(ConfigurationError, match="AIGUILLAGE_SECRET_KEY"):
        settings_from(environment["api"], monkeypatch)


def test_interpolation_follows_compose() -> None:
    host = {"SET": "x", "EMPTY": ""}
    assert interpolate("${SET:-d}|${EMPTY:-d}|${EMPTY-d}|${NONE-d}|$$|$SET", host) == "x|d||d|$|x"
    with pytest.raises(AssertionError, match="NONE"):
        interpolate("${NONE:?must be set}", host)


def test_the_redis_url_the_processes_use_is_a_compose_service() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    api = compose["services"]["api"]
    assert "redis" in compose["services"] and "redis" in api["depends_on"]


def test_a_redis_url_of_another_scheme_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    environment = compose_environments({})["api"] | {"AIGUILLAGE_REDIS_URL": "http://u:pw@x/"}
    with pytest.raises(ConfigurationError, match="AIGUILLAGE_REDIS_URL") as refused:
        settings_from(environment, monkeypatch)
    assert "pw" not in str(refused.value)


def test_the_observability_profile_scrapes_what_the_services_serve(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Prometheus and Grafana (profile ``observability``) mount files that exist, scrape the
    port the API and workers serve metrics on, and the dashboard uses the provisioned
    datasource."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    for name in ("prometheus", "grafana"):
        assert services[name]["profiles"] == ["observability"], name
        for volume in services[name]["volumes"]:
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (ROOT / source).exists(), f"{name} mounts a missing {source}"
    ports = {}
    for service, environment in compose_environments({}).items():
        address = settings_from(environment, monkeypatch).metrics_host_port
        if service in ("api", "worker"):
            assert address is not None, f"{service} serves no metrics"
            ports[service] = address[1]
    scrape = yaml.safe_load((ROOT / "deploy/prometheus/prometheus.yml").read_text())
    jobs = {job["job_name"]: job for job in scrape["scrape_configs"]}
    assert jobs["aiguillage-api"]["static_configs"][0]["targets"] == [f"api:{ports['api']}"]
    workers = jobs["aiguillage-worker"]["dns_sd_configs"][0]
    assert workers["names"] == ["worker"] and workers["port"] == ports["worker"]
    sources = yaml.safe_load(
        (ROOT / "deploy/grafana/provisioning/datasources/prometheus.yml").read_text()
    )
    uid = sources["datasources"][0]["uid"]
    dashboard = (ROOT / "deploy/grafana/dashboards/aiguillage.json").read_text()
    used = set(re.findall(r'"uid": "([^"]+)"', dashboard)) - {"aiguillage"}
    assert used == {uid}
