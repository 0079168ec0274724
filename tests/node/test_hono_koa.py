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


def test_zod_openapi_routes_factories_and_mounts_over_a_literal_array() -> None:
    """The hono-open-api-starter layout: `createRouter()` returns a fresh OpenAPIHono per call,
    routers add `.openapi(createRoute({...}), handler)` routes, the app mounts a literal array
    of them with forEach; a test's `createTestApp(router)` wires nothing of the service."""
    found = routes(
        {
            "src/lib/create-app.ts": """
import { OpenAPIHono } from "@hono/zod-openapi";
export function createRouter() {
  return new OpenAPIHono();
}
export default function createApp() {
  const app = createRouter();
  return app;
}
export function createTestApp(router) {
  return createApp().route("/", router);
}
""",
            "src/routes/tasks.routes.ts": """
import { createRoute } from "@hono/zod-openapi";
import { requireUser } from "../auth";
export const list = createRoute({ path: "/tasks", method: "get", responses: {} });
export const remove = createRoute({
  path: "/tasks/{id}",
  method: "delete",
  middleware: [requireUser] as const,
  request: { params: {} },
  responses: {},
});
""",
            "src/auth.ts": """
import { createMiddleware } from "hono/factory";
export const requireUser = createMiddleware(async (c, next) => {
  if (!c.get("user")) return c.json({ error: "unauthorized" }, 401);
  await next();
});
""",
            "src/routes/tasks.index.ts": """
import { createRouter } from "../lib/create-app";
import * as routes from "./tasks.routes";
const router = createRouter()
  .openapi(routes.list, (c) => c.json([]))
  .openapi(routes.remove, (c) => c.body(null, 204));
export default router;
""",
            "src/routes/health.ts": """
import { createRouter } from "../lib/create-app";
export default createRouter().get("/health", (c) => c.text("ok"));
""",
            "src/app.ts": """
import createApp from "./lib/create-app";
import tasks from "./routes/tasks.index";
import health from "./routes/health";
const app = createApp();
app.doc("/doc", { openapi: "3.0.0", info: { title: "Tasks", version: "1" } });
const routers = [health, tasks] as const;
routers.forEach((r) => {
  app.route("/v1", r);
});
export default app;
""",
            "src/routes/tasks.test.ts": """
import { createTestApp } from "../lib/create-app";
import router from "./tasks.index";
const client = createTestApp(router);
""",
        }
    )
    assert sorted(found) == [
        "DELETE /v1/tasks/:id",
        "GET /doc",
        "GET /v1/health",
        "GET /v1/tasks",
    ]
    assert found["GET /doc"].handler == "doc()"
    remove = found["DELETE /v1/tasks/:id"]
    assert auth(remove) == ["requireUser@route"]
    assert remove.validation == ("request schema",)


def test_unless_exempts_paths_and_methods_from_a_jwt_guard() -> None:
    found = routes(
        {
            "app.js": """
const express = require("express");
const { expressjwt } = require("express-jwt");
const app = express();
const auth = expressjwt({ secret: process.env.S, algorithms: ["HS256"] }).unless({
  path: ["/login", /^\\/public\\//, { url: "/items", methods: ["GET"] }],
  method: "OPTIONS",
});
app.use(auth);
app.post("/login", (req, res) => res.json({}));
app.post("/public/feedback", (req, res) => res.json({}));
app.get("/items", (req, res) => res.json([]));
app.post("/items", (req, res) => res.json({}));
app.options("/orders", (req, res) => res.end());
app.delete("/orders/:id", (req, res) => res.end());
""",
        }
    )
    assert auth(found["POST /login"]) == []
    assert auth(found["POST /public/feedback"]) == []
    assert auth(found["GET /items"]) == []
    assert auth(found["OPTIONS /orders"]) == []
    assert auth(found["POST /items"]) == ["auth@app"]
    assert auth(found["DELETE /orders/:id"]) == ["auth@app"]


def test_koa_routers_mounted_in_a_loop_and_koa_mount_scoped_guards() -> None:
    found = routes(
        {
            "app.js": """
const Koa = require("koa");
const Router = require("koa-router");
const mount = require("koa-mount");
const jwt = require("koa-jwt");
const users = new Router();
users.post("/users", (ctx) => {});
const items = new Router();
items.post("/items", (ctx) => {});
const api = new Router();
api.use(mount("/api/items", jwt({ secret: "s" })));
[users, items].forEach((r) => api.use("/api", r.routes()));
new Koa().use(api.routes());
""",
        }
    )
    assert sorted(found) == ["POST /api/items", "POST /api/users"]
    assert auth(found["POST /api/items"]) == ["jwt@router"]
    assert auth(found["POST /api/users"]) == []


def test_a_regex_that_could_backtrack_forever_exempts_nothing() -> None:
    found = routes(
        {
            "app.js": """
const express = require("express");
const { expressjwt } = require("express-jwt");
const app = express();
app.use(expressjwt({ secret: "s", algorithms: ["HS256"] }).unless({ path: [/^(a+)+$/] }));
app.post("/aaaa", (req, res) => res.json({}));
""",
        }
    )
    assert auth(found["POST /aaaa"]) != []


def test_an_error_class_of_the_target_carrying_401_makes_a_rejecting_check() -> None:
    """koa-knex-realworld's `ctx.assert(ctx.state.user, new AuthenticationError())`, the class
    setting `this.statusCode = 401` (through a base class here); a 404 error is no guard."""
    found = routes(
        {
            "src/errors.js": """
class HttpError extends Error {
  constructor(message) { super(message); this.statusCode = 401; }
}
class AuthenticationError extends HttpError {}
class NotFoundError extends Error {
  constructor() { super("gone"); this.statusCode = 404; }
}
module.exports = { AuthenticationError, NotFoundError };
""",
            "src/app.js": """
const Koa = require("koa");
const Router = require("koa-router");
const { AuthenticationError, NotFoundError } = require("./errors");
function auth(ctx, next) {
  ctx.assert(ctx.state.user, new AuthenticationError());
  return next();
}
function exists(ctx, next) {
  if (!ctx.state.user) throw new NotFoundError();
  return next();
}
const router = new Router();
router.post("/articles", auth, (ctx) => {});
router.post("/drafts", exists, (ctx) => {});
new Koa().use(router.routes());
""",
        }
    )
    assert auth(found["POST /articles"]) == ["auth@route"]
    assert auth(found["POST /drafts"]) == []
