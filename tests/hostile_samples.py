"""Code the hostile-input tests plant in a target: a real SQL injection a hidden finding would be."""

VIEWS = """\
import sqlite3
from flask import Flask, request

app = Flask(__name__)
conn = sqlite3.connect("app.db")


@app.route("/users")
def users():
    name = request.args["name"]
    return conn.execute(f"SELECT * FROM users WHERE name = '{name}'").fetchall()
"""
