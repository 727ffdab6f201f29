"""Tests of server/web: what every request and response cross."""
