import pytest

from tagwriter.cli import main

URL = "https://t.example.org/1000C1SS9CG22JXH6EK"


def test_url_that_fits_shows_the_spare_bytes(runner):
    result = runner.invoke(main, ["check-url", URL])
    assert result.exit_code == 0
    assert "fits an NTAG213: 99 bytes to spare of 144" in result.output


def test_mirror_position_is_shown(runner):
    result = runner.invoke(
        main, ["check-url", URL + "?M=00000000000000x000000", "--mirror", "both"]
    )
    assert result.exit_code == 0, result.output
    assert "MIRROR_PAGE 10h, MIRROR_BYTE 0" in result.output


def test_too_long_for_the_chip_fails_with_the_next_step(runner):
    result = runner.invoke(main, ["check-url", "https://" + "a" * 141, "--chip", "ntag213"])
    assert result.exit_code == 1
    assert "an NTAG213 holds 132 after https://" in result.output
    assert (
        runner.invoke(main, ["check-url", "https://" + "a" * 141, "--chip", "ntag215"]).exit_code
        == 0
    )


def test_missing_placeholder_is_explained(runner):
    result = runner.invoke(main, ["check-url", URL, "--mirror", "uid"])
    assert result.exit_code == 1
    assert "placeholder" in result.output


@pytest.mark.parametrize(
    "url",
    [
        "not a url",
        "t.example.org/1000C1SS9CG22JXH6EK",
        "https://",
        "ftp://t.example.org/x",
        "https://t.example.org/a b",
        "http://[t.example.org/x",
        "mailto:someone@example.org",
    ],
)
def test_what_is_not_an_absolute_web_address_is_refused(runner, url):
    result = runner.invoke(main, ["check-url", url])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {url!r} is not a web address: give a whole URL with its host and no spaces, "
        "like https://t.example.org/1000C1SS9CG22JXH6EK\n"
    )
