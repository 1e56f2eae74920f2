"""Project guards: migrations, settings from the environment, the deployment checklist."""

import os
import subprocess
import sys

import pytest
from django.core.management import call_command

from bureaus.models import Duty
from config.env import env_bool, env_int, env_list
from tests.conftest import ROOT


@pytest.mark.django_db
def test_no_migrations_are_pending():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migrations_unapply_and_reapply_cleanly():
    call_command("migrate", "portal", "zero", verbosity=0)
    call_command("migrate", "bureaus", "zero", verbosity=0)
    call_command("migrate", verbosity=0)
    assert Duty.objects.count() == 25


def run_manage(*args, **env):
    """Run manage.py in a child process with only the given Django variables set."""
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "EMAIL_", "PAGE_"))
    }
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DJANGO_DEBUG", "maybe"),
        ("DJANGO_HTTPS", "sometimes"),
        ("EMAIL_PORT", "smtp"),
        ("EMAIL_PORT", "70000"),
        ("EMAIL_USE_TLS", "yes please"),
        ("EMAIL_TIMEOUT", "0"),
    ],
)
def test_a_bad_environment_value_stops_start_up_naming_the_variable(variable, value):
    result = run_manage("check", **{"DJANGO_DEBUG": "true", variable: value})
    assert result.returncode != 0
    assert variable in result.stderr


def test_production_needs_a_secret_key_and_hosts():
    result = run_manage("check", DJANGO_DEBUG="false")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
    result = run_manage("check", DJANGO_DEBUG="false", DJANGO_SECRET_KEY="x" * 60)
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS" in result.stderr


def test_production_settings_pass_the_deployment_checklist_without_warnings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="a-long-random-production-secret-" + "Zq8#k" * 10,
        DJANGO_ALLOWED_HOSTS="kouryu.metro.tokyo.example",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("true", True),
        ("1", True),
        ("YES", True),
        ("on", True),
        ("false", False),
        ("0", False),
        ("No", False),
        ("off", False),
    ],
)
def test_boolean_variables_accept_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("SOME_FLAG", raw)
    assert env_bool("SOME_FLAG") is expected


def test_unset_variables_take_their_default_and_required_ones_fail(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.delenv("SOME_FLAG", raising=False)
    assert env_bool("SOME_FLAG", False) is False
    assert env_int("SOME_FLAG", 5) == 5
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG must be set"):
        env_list("SOME_FLAG")


def test_lists_drop_blanks(monkeypatch):
    monkeypatch.setenv("SOME_HOSTS", " a.example, ,b.example ,")
    assert env_list("SOME_HOSTS") == ["a.example", "b.example"]


@pytest.mark.parametrize(
    ("env", "seconds"),
    [
        ({"DJANGO_DEBUG": "true"}, "0"),  # make run: a template edit shows at once.
        ({"DJANGO_DEBUG": "true", "PAGE_CACHE_SECONDS": "30"}, "30"),
        (
            {
                "DJANGO_DEBUG": "false",
                "DJANGO_SECRET_KEY": "x" * 60,
                "DJANGO_ALLOWED_HOSTS": "kouryu.example",
            },
            "600",
        ),
    ],
)
def test_the_page_cache_is_off_by_default_only_when_debugging(env, seconds):
    result = run_manage(
        "shell", "-c", "from django.conf import settings; print(settings.PAGE_CACHE_SECONDS)", **env
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == seconds
