from tests.support.postgres import missing_postgres_is_fatal, postgres_problem


def test_missing_postgres_is_fatal_only_in_ci():
    assert missing_postgres_is_fatal({"CI": "1"})
    assert not missing_postgres_is_fatal({})


def test_unreachable_postgres_is_explained_in_one_line():
    problem = postgres_problem("postgresql+psycopg://nobody@127.0.0.1:9/none")
    assert problem is not None
    assert "127.0.0.1:9 does not answer" in problem
    assert "\n" not in problem


def test_the_test_postgres_answers(postgres):
    assert postgres_problem(postgres) is None
