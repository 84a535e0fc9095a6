"""Production settings pass Django's deployment checklist with the environment
the README's deployment section gives."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

# Settings read in processes of their own, none of which opens a database.
pytestmark = pytest.mark.db_independent

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "prep_site.settings.prod",
    "SECRET_KEY": "k3y-for-the-deploy-check-" + "x9Qz" * 12,
    "ALLOWED_HOSTS": "prep.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://prep.example.com",
    "DATABASE_URL": "postgres://prep:prep@127.0.0.1:5432/prep",
}


# Set by the test run itself (the browser tests need async-unsafe ORM access);
# a deployment has neither.
TEST_ONLY_ENV = {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def run_manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**{k: v for k, v in os.environ.items() if k not in TEST_ONLY_ENV}, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_under_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {**PRODUCTION_ENV, "SECRET_KEY": ""}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_production_cookies_are_secure_and_http_only():
    from django.conf import settings

    code = (
        "import django;django.setup();from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY,"
        " s.DEBUG, s.DATABASES['default']['CONN_MAX_AGE'] > 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, **PRODUCTION_ENV},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == ["True", "True", "True", "False", "True"], result.stderr
    assert settings.SESSION_COOKIE_HTTPONLY


def in_production(code: str, env: dict) -> str:
    """What ``code`` prints in a process of its own under production settings."""
    result = subprocess.run(
        [sys.executable, "-c", f"import django;django.setup();{code}"],
        cwd=ROOT,
        env={**{k: v for k, v in os.environ.items() if k not in TEST_ONLY_ENV}, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def production_setting(name: str, env: dict) -> str:
    return in_production(f"from django.conf import settings as s;print(s.{name})", env)


def test_production_keeps_sqlite_connections_between_requests_too():
    on_sqlite = {k: v for k, v in PRODUCTION_ENV.items() if k != "DATABASE_URL"}
    setting = "DATABASES['default']['ENGINE'], s.DATABASES['default']['CONN_MAX_AGE']"
    assert production_setting(setting, on_sqlite) == "django.db.backends.sqlite3 600"


def test_the_number_of_proxies_comes_from_the_environment():
    assert production_setting("PREP_PROXY_COUNT", PRODUCTION_ENV) == "0"
    behind_two = {**PRODUCTION_ENV, "PREP_PROXY_COUNT": "2"}
    assert production_setting("PREP_PROXY_COUNT", behind_two) == "2"
    # django-axes asks our function for the address (tests/security/test_proxy_address.py).
    assert (
        production_setting("AXES_CLIENT_IP_CALLABLE", behind_two)
        == "prep_site.client_address.client_address"
    )


def test_production_installs_no_development_tools():
    """prep_site.devtools (make_history, the benchmark's bare views) is for
    development, tests and the benchmark: production's settings do not install
    it, its URLconf has no benchmark route, and loading the app and every URL
    imports none of it."""
    code = """import sys
from django.apps import apps
from django.conf import settings
from django.urls import Resolver404, get_resolver, resolve

print(apps.is_installed("prep_site.devtools"), settings.ROOT_URLCONF)
for url in ("/bare/", "/bare/signed-in/"):
    try:
        print("resolves", url, resolve(url).view_name)
    except Resolver404:
        pass
names = [name for name in get_resolver().reverse_dict if isinstance(name, str)]
print("bench routes:", [name for name in names if name.startswith("bench")])
print("devtools modules:", [m for m in sys.modules if m.startswith("prep_site.devtools")])
"""
    assert in_production(code, PRODUCTION_ENV).splitlines() == [
        "False prep_site.urls",
        "bench routes: []",
        "devtools modules: []",
    ]


def test_production_has_no_make_history_command():
    result = run_manage("help", "make_history", env=PRODUCTION_ENV)
    assert result.returncode != 0
    assert "Unknown command: 'make_history'" in result.stderr


def test_no_product_code_imports_the_development_tools():
    """What production runs never imports prep_site.devtools, even lazily."""
    product = [ROOT / "accounts", ROOT / "cards", ROOT / "interviews", ROOT / "prep_site"]
    offenders = []
    for folder in product:
        for path in folder.rglob("*.py"):
            if ROOT / "prep_site" / "devtools" in path.parents:
                continue
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.Import):
                    modules = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom):
                    base = "." * node.level + (node.module or "")
                    modules = [base, *(f"{base}.{alias.name}" for alias in node.names)]
                else:
                    continue
                if any("devtools" in module for module in modules):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []
