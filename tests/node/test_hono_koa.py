"""Hono and Koa routes on small programs: what their routers do that Express's does not."""

from __future__ import annotations

from tests.node.test_node_frontend import auth, routes


def test_hono_use_paths_are_patterns_and_base_path_clones_share_the_parent() -> None:
    found = routes(
        {
            "app.js": """
const { Hono } = require("hono");
const { basicAuth } = require("hono/basic-auth");
const app = new Hono();
app.post("/early", (c) => c.json({}));
app.use(basicAuth({ username: "u", password: process.env.P }));
const v1 = app.basePath("/v1");
v1.delete("/x", (c) => c.json({}));
const other = new Hono().basePath("/other");
other.use("/posts/*/edit", basicAuth({ username: "u", password: "p" }));
other.put("/posts/:id/edit", (c) => c.json({}));
other.put("/posts/:id", (c) => c.json({}));
other.get("/a", (c) => c.json({})).post((c) => c.json({}));
module.exports = { app, other };
""",
        }
    )
    assert auth(found["POST /early"]) == []  # registered before the middleware
    assert auth(found["DELETE /v1/x"]) == ["basicAuth@app"]  # the clone shares app's stack
    assert auth(found["PUT /other/posts/:id/edit"]) == ["basicAuth@app"]
    assert auth(found["PUT /other/posts/:id"]) == []  # `/posts/*/edit` does not match it
    assert "POST /other/a" in found  # a chained call without a path adds to the last one


def test_koa_named_routes_prefix_and_nesting() -> None:
    found = routes(
        {
            "app.ts": """
import Koa from "koa";
import Router from "koa-router";
import sub = require("./sub");
const app = new Koa();
const router = Router({ prefix: "/api" });
router.get("item", "/items/:id", (ctx) => {});
router.use(["/a", "/b"], sub.routes());
app.use(router.routes());
""",
            "sub.ts": """
import Router from "@koa/router";
const sub = new Router();
sub.prefix("/s");
sub.del("/x", (ctx) => {});
export = sub;
""",
        }
    )
    assert sorted(found) == ["DELETE /api/a/s/x", "DELETE /api/b/s/x", "GET /api/items/:id"]
    assert {r.framework for r in found.values()} == {"koa"}


def test_koa_passthrough_jwt_is_no_guard_and_ctx_throw_401_is() -> None:
    found = routes(
        {
            "app.js": """
const Koa = require("koa");
const Router = require("@koa/router");
const jwt = require("koa-jwt");
const router = new Router();
async function member(ctx, next) {
  if (!ctx.state.user) ctx.throw(401);
  await next();
}
router.post("/open", jwt({ secret: "s", passthrough: true }), (ctx) => {});
router.post("/members", member, (ctx) => {});
new Koa().use(router.routes());
""",
        }
    )
    assert auth(found["POST /open"]) == []
    assert auth(found["POST /members"]) == ["member@route"]
