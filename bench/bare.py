"""The baseline: a bare Flask app that answers every path with a 303, nothing else."""

from flask import Flask, redirect

app = Flask(__name__)


@app.get("/<code>")
def bare_redirect(code: str):
    """What a redirect costs with no verification, classification or recording."""
    return redirect("/fr/p/la-piscine", code=303)
