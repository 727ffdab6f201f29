"""No client address in the logs: the gunicorn access log format leaves it out."""

from server import gunicorn_conf


def test_the_access_log_has_no_client_address_or_user_agent():
    fields = gunicorn_conf.access_log_format
    for forbidden in ("%(h)s", "%(a)s", "X-Forwarded-For", "{x-forwarded-for}i"):
        assert forbidden not in fields
    assert "%(r)s" in fields and "%(s)s" in fields  # still useful: request line and status


def test_werkzeug_request_logging_is_quiet(app):
    import logging

    assert logging.getLogger("werkzeug").getEffectiveLevel() >= logging.WARNING
