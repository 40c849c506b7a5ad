"""SchoolBell: direct, tracked, bilingual safety alerts and prevention lessons for schools."""

from flask import Flask


def create_app(config_object=None, **overrides) -> Flask:
    """Build the Flask app: settings, extensions, blueprints and CLI commands; no side effects."""
    from pathlib import Path

    from flask_babel import get_locale, refresh

    from schoolbell import database
    from schoolbell.directory.cli import register_directory_commands
    from schoolbell.extensions import babel, csrf, db, limiter, migrate
    from schoolbell.i18n import remember_locale, select_locale
    from schoolbell.settings import check_settings

    app = Flask(__name__, instance_path=_instance_path(config_object))
    if config_object is not None:
        app.config.from_object(config_object)
    app.config.update(overrides)
    check_settings(app.config)
    app.config.setdefault("SQLALCHEMY_DATABASE_URI", f"sqlite:///{app.instance_path}/schoolbell.db")

    database.prepare(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"),
                     render_as_batch=True)
    babel.init_app(app, locale_selector=select_locale)
    csrf.init_app(app)
    # One process keeps its own counts unless RATELIMIT_STORAGE_URI names a shared store (redis://…).
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    limiter.init_app(app)
    app.jinja_env.globals["get_locale"] = get_locale
    # Flask-Babel caches the locale on the app context, which one CLI or test context can outlive.
    app.before_request(refresh)
    app.after_request(remember_locale)
    database.configure_engine_events(app)

    register_directory_commands(app)
    _register_optional_parts(app)
    return app


def _instance_path(config_object) -> str | None:
    return getattr(config_object, "INSTANCE_DIR", None)


def _register_optional_parts(app: Flask) -> None:
    """Wire the packages that other areas add; each one registers its own commands and pages."""
    import schoolbell.accounts.models  # noqa: F401  (tables for migrations)
    import schoolbell.alerts.models  # noqa: F401
    import schoolbell.alerts.template_models  # noqa: F401
    import schoolbell.curriculum.models  # noqa: F401
    import schoolbell.delivery.models  # noqa: F401
    import schoolbell.directory.preference_models  # noqa: F401
    import schoolbell.scheduling.models  # noqa: F401
    from schoolbell.accounts.cli import users_cli
    from schoolbell.alerts import erasure
    from schoolbell.alerts.approval_cli import two_person_command
    from schoolbell.alerts.cli import alerts_cli
    from schoolbell.alerts.drill_cli import drills_cli
    from schoolbell.curriculum.assign_cli import assign_command
    from schoolbell.curriculum.cli import lessons_cli
    from schoolbell.delivery.cli import worker_command
    from schoolbell.delivery.webhooks import webhooks
    from schoolbell.directory.office_cli import offices_cli
    from schoolbell.extensions import csrf
    from schoolbell.scheduling.cli import scheduler_command
    from schoolbell.serve import serve_command
    from schoolbell.web import register_web

    erasure.connect()  # people the directory erases leave their deliveries as counts only
    lessons_cli.add_command(assign_command)
    offices_cli.add_command(two_person_command)
    for command in (alerts_cli, lessons_cli, users_cli, worker_command, scheduler_command,
                    serve_command, offices_cli, drills_cli):
        app.cli.add_command(command)
    app.register_blueprint(webhooks)
    csrf.exempt(webhooks)  # Twilio signs its requests instead (X-Twilio-Signature)
    register_web(app)
    from schoolbell.api import init_app as register_api

    register_api(app)  # after the web: its security headers then also cover converted API errors
    if app.config.get("BEHIND_PROXY"):
        # Twilio signs the public URL; behind a proxy, rebuild it from X-Forwarded-* headers.
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)
