"""Which routes a JavaScript/TypeScript test suite requests (reviewer/node/test_requests.py),
through review_node on real tree-sitter parses: supertest, NestJS e2e, Fastify inject, Hono."""

from __future__ import annotations

from pathlib import Path

from reviewer.config import Config
from reviewer.node import review_node

APP = """
const express = require("express");
const app = express();
app.get("/", (req, res) => res.send("home"));
app.get("/users/:id", (req, res) => res.json({}));
app.post("/users", (req, res) => res.sendStatus(201));
app.delete("/users/:id", (req, res) => res.sendStatus(204));
app.get("/health", (req, res) => res.send("ok"));
app.get("/orders", (req, res) => res.json([]));
module.exports = app;
"""


def requested_by(files: dict[str, str]) -> dict[str, tuple[str, ...]]:
    review = review_node({p: t.encode() for p, t in files.items()}, Config(root=Path(".")), {})
    return {f"{','.join(r.methods)} {r.path}": r.tests for r in review.routes}


def test_supertest_requests_mark_the_routes_they_send() -> None:
    suite = """
const request = require("supertest");
const app = require("../src/app");
test("home", () => request(app).get("/").expect(200));
test("user", async () => {
  const id = 7;
  await request(app).get(`/users/${id}`).expect(200);
  await request.agent(app).post("/users").send({}).expect(201);
});
test("client", () => axios.delete("/users/1"));  // not the app: an HTTP client elsewhere
"""
    got = requested_by({"src/app.js": APP, "test/users.test.js": suite})
    assert got["GET /"] == ("test/users.test.js",)
    assert got["GET /users/:id"] == ("test/users.test.js",)  # the template path matches
    assert got["POST /users"] == ("test/users.test.js",)
    assert got["DELETE /users/:id"] == ()  # axios is no in-process client of the app
    assert got["GET /health"] == ()


def test_nest_e2e_fastify_inject_and_hono_request() -> None:
    suite = """
import * as request from "supertest";
describe("e2e", () => {
  it("health", () => request(app.getHttpServer()).get("/health").expect(200));
  it("inject", async () => {
    await fastify.inject({ method: "DELETE", url: "/users/3" });
    await fastify.inject().get("/orders");
  });
  it("hono", async () => {
    await honoApp.request("/users", { method: "POST" });
  });
});
"""
    got = requested_by({"src/app.js": APP, "test/app.e2e-spec.ts": suite})
    assert got["GET /health"] == ("test/app.e2e-spec.ts",)
    assert got["DELETE /users/:id"] == ("test/app.e2e-spec.ts",)
    assert got["GET /orders"] == ("test/app.e2e-spec.ts",)
    assert got["POST /users"] == ("test/app.e2e-spec.ts",)
    assert got["GET /"] == ()  # nothing sends GET /: a method must match too


def test_requests_outside_test_files_count_for_nothing() -> None:
    script = 'const request = require("supertest");\nrequest(app).get("/health");\n'
    got = requested_by({"src/app.js": APP, "scripts/smoke.js": script})
    assert got["GET /health"] == ()
