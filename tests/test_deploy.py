"""The deployment kit stays true to the tree: the Dockerfile builds from files that exist and
runs what the project runs, as a user who is not root; the compose file's settings are real
settings, each app host keeps its own spool; the proxy balances on a URL the app answers.

The image itself is not built here (the base images come from a registry this machine cannot
reach); these checks are what can go wrong between the kit and the code without a build.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import tomllib
from pathlib import Path

import orjson
import pytest
import yaml

from server import config, create_app
from server.cli import main
from tags.keyring import ENV_FILE, ENV_JSON, Keyring

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = ROOT / "Dockerfile"
COMPOSE = ROOT / "deploy" / "compose.yaml"
CADDYFILE = ROOT / "deploy" / "Caddyfile"


def instructions() -> list[tuple[str, str]]:
    """The Dockerfile's instructions, continuation lines joined, comments left out."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            found.append((keyword.upper(), rest.strip()))
    return found


def known_settings() -> set[str]:
    """Every TAPTRAIL_* variable the server or its gunicorn settings read."""
    names = {f"TAPTRAIL_{name}" for name in config.DEFAULTS}
    names |= {f"TAPTRAIL_{name}{end}" for name in config.SECRET_SETTINGS for end in ("", "_FILE")}
    names |= {ENV_FILE, ENV_JSON}
    gunicorn_conf = (ROOT / "server" / "gunicorn_conf.py").read_text()
    return names | set(re.findall(r"TAPTRAIL_[A-Z_]+", gunicorn_conf))


def test_the_dockerfile_copies_files_that_exist_and_the_build_context_keeps(tmp_path):
    kept = {
        line.removeprefix("!").rstrip("/")
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.startswith("!")
    }
    copied = []
    for keyword, rest in instructions():
        if keyword != "COPY" or rest.startswith("--from"):
            continue
        *sources, _target = shlex.split(rest)
        copied += sources
    assert copied
    for source in copied:
        assert (ROOT / source).exists(), f"the Dockerfile copies {source}, which is missing"
        assert source.rstrip("/") in kept, f".dockerignore leaves {source} out of the build"


def test_the_wheel_the_image_installs_holds_every_data_file_the_server_reads():
    """The image runs the project from its wheel: a file under server/ that is not Python and
    no package-data pattern names is missing there (the demo's GTFS timetable was)."""
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    package = ROOT / "server"
    shipped = {
        path for pattern in declared["package-data"]["server"] for path in package.glob(pattern)
    }
    tracked = subprocess.run(
        ["git", "ls-files", "server"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    # messages.pot is where `make translations` starts from; the server reads the .mo files.
    data = [ROOT / name for name in tracked if not name.endswith((".py", "messages.pot"))]
    assert data
    left_out = [str(path.relative_to(ROOT)) for path in data if path not in shipped]
    assert not left_out, f"pyproject.toml's package-data leaves out {left_out}"


def test_the_image_runs_the_server_as_production_does_and_not_as_root():
    steps = instructions()
    users = [rest for keyword, rest in steps if keyword == "USER"]
    assert users and users[-1] not in ("root", "0"), "the image must not run as root"
    [command] = [orjson.loads(rest) for keyword, rest in steps if keyword == "CMD"]
    assert command == ["gunicorn", "-c", "python:server.gunicorn_conf", "server:create_app()"]
    environment = " ".join(rest for keyword, rest in steps if keyword == "ENV")
    for name in re.findall(r"(TAPTRAIL_[A-Z_]+)=", environment):
        assert name in known_settings(), f"the Dockerfile sets {name}, which nothing reads"
    health = next(rest for keyword, rest in steps if keyword == "HEALTHCHECK")
    assert "/livez" in health  # alive while the database is away: taps are still answered


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def app_hosts(compose: dict) -> dict[str, dict]:
    """The services that run the server image under gunicorn (not the one-off migration)."""
    return {
        name: service
        for name, service in compose["services"].items()
        if service.get("image") == "taptrail:latest" and "command" not in service
    }


def test_the_compose_file_sets_real_settings_and_runs_real_commands(compose):
    known = known_settings()
    for name, service in compose["services"].items():
        for setting in service.get("environment", {}):
            if setting.startswith("TAPTRAIL_"):
                assert setting in known, f"{name} sets {setting}, which nothing reads"
    migrate = compose["services"]["migrate"]
    assert migrate["command"][0] == "taptrail" and migrate["command"][1] in main.commands
    build = compose["services"]["app-a"]["build"]
    assert (COMPOSE.parent / build["context"] / build["dockerfile"]).resolve() == DOCKERFILE


def test_every_app_host_has_its_own_spool_and_all_share_the_photos(compose):
    hosts = app_hosts(compose)
    assert len(hosts) >= 2
    spools, media = [], set()
    for service in hosts.values():
        mounts = {
            target: source
            for source, target in (volume.split(":")[:2] for volume in service["volumes"])
        }
        spools.append(mounts["/var/lib/taptrail/spool"])
        media.add(mounts["/var/lib/taptrail/media"])
        assert service["environment"]["TAPTRAIL_PROXY_FIX"] == "1"
        assert "DATABASE_URL" in " ".join(service["environment"])
    assert len(set(spools)) == len(spools), "two hosts would drain one spool"
    assert len(media) == 1, "photos uploaded on one host must be seen by every host"


def test_the_proxy_balances_over_every_app_host_on_a_url_the_app_answers(compose, tmp_path):
    caddy = CADDYFILE.read_text()
    upstreams = re.search(r"reverse_proxy\s+([^{]+)\{", caddy)
    assert upstreams
    environment = " ".join(rest for keyword, rest in instructions() if keyword == "ENV")
    bind = re.search(r"TAPTRAIL_BIND=\S+:(\d+)", environment)
    assert bind, "the image must listen beyond its loopback"
    hosts = {f"{name}:{bind.group(1)}" for name in app_hosts(compose)}
    assert set(upstreams.group(1).split()) == hosts
    health = re.search(r"health_uri\s+(\S+)", caddy)
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'taptrail.db'}",
            "SECRET_KEY": "deploy",
            "SIGNING_KEYS": Keyring.create().to_json(),
            "SPOOL_DIR": str(tmp_path / "spool"),
            "CACHE_DIR": str(tmp_path / "cache"),
            "DRAIN_THREAD": False,
        }
    )
    assert health and health.group(1) in {rule.rule for rule in app.url_map.iter_rules()}
    assert not re.search(r"^\s*log\b", caddy, re.MULTILINE), "an access log would hold addresses"
    secrets = {Path(entry["file"]).parent.name for entry in compose["secrets"].values()}
    assert secrets == {"secrets"} and "/deploy/secrets/" in (ROOT / ".gitignore").read_text()
