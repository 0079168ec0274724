"""The Node frontend on small programs: parsing, module resolution, Express routes and guards."""

from __future__ import annotations

from pathlib import Path

from reviewer.config import Config
from reviewer.node import review_node
from reviewer.node.modules import resolve_spec
from reviewer.service import Route

CONFIG = Config(root=Path("."))


def routes(
    files: dict[str, str], config: Config = CONFIG, manifests: dict[str, str] | None = None
) -> dict[str, Route]:
    given = {p: t.encode() for p, t in (manifests or {}).items()}
    review = review_node({p: t.encode() for p, t in files.items()}, config, given)
    return {f"{','.join(r.methods)} {r.path}": r for r in review.routes}


def auth(route: Route) -> list[str]:
    return [f"{g.name}@{g.level}" for g in route.auth]


def test_specifiers_resolve_as_node_and_typescript_do() -> None:
    files = frozenset({"src/a.ts", "src/lib/index.js", "src/b.js", "src/c.mjs"})
    assert resolve_spec("src/x.ts", "./a", files) == "src/a.ts"
    assert resolve_spec("src/x.ts", "./a.js", files) == "src/a.ts"  # TS: the emitted name
    assert resolve_spec("src/x.ts", "./lib", files) == "src/lib/index.js"
    assert resolve_spec("src/sub/x.js", "../b", files) == "src/b.js"
    assert resolve_spec("src/x.js", "./c.mjs", files) == "src/c.mjs"
    assert resolve_spec("src/x.js", "express", files) is None
    assert resolve_spec("src/x.js", "./missing", files) is None


def test_a_syntax_error_is_a_parse_finding_naming_file_and_line() -> None:
    review = review_node({"src/app.js": b"const a = 1;\nconst b = ;\n"}, CONFIG)
    assert [(f.code, f.location.path, f.location.line) for f in review.findings] == [
        ("BR901", "src/app.js", 2)
    ]
    assert review.not_reviewed == (("src/app.js", "syntax error at line 2: unexpected input"),)
    assert review.reviewed == ()


def test_typescript_and_tsx_parse_cleanly() -> None:
    ts = "type U = { id: string };\nexport const f = (u: U): string => u.id as string;\n"
    tsx = "export const C = (p: { n: number }) => <div>{p.n}</div>;\n"
    review = review_node({"a.ts": ts.encode(), "b.tsx": tsx.encode()}, CONFIG)
    assert review.findings == () and review.reviewed == ("a.ts", "b.tsx")


def test_commonjs_and_es_modules_mount_routers_across_files() -> None:
    found = routes(
        {
            "app.js": """
const express = require("express");
const api = require("./api");
const { v2 } = require("./v2");
const app = express();
app.use("/api", api);
app.use("/api/v2", v2);
""",
            "api/index.js": """
const { Router } = require("express");
const router = Router();
router.get("/items/:id", (req, res) => res.json({}));
module.exports = router;
""",
            "v2.ts": """
import * as ex from "express";
export const v2 = ex.Router();
v2.put("/items/:id", (req, res) => res.json({}));
""",
        }
    )
    assert sorted(found) == ["GET /api/items/:id", "PUT /api/v2/items/:id"]
    assert found["GET /api/items/:id"].file == "api/index.js"
    assert found["GET /api/items/:id"].line == 4


def test_a_router_factory_mounts_what_it_returns() -> None:
    found = routes(
        {
            "app.js": """
import express from "express";
import makeUsers from "./users.js";
const app = express();
app.use("/users", makeUsers({ db: null }));
""",
            "users.js": """
import express from "express";
export default function makeUsers(deps) {
  const router = express.Router();
  router.delete("/:id", (req, res) => res.sendStatus(204));
  return router;
}
""",
        }
    )
    assert list(found) == ["DELETE /users/:id"]


def test_guards_are_recognised_by_behaviour_not_name() -> None:
    found = routes(
        {
            "app.js": """
const express = require("express");
const app = express();
function gate(req, res, next) {
  if (!req.session.userId) return res.sendStatus(401);
  next();
}
function requireLogin(req, res, next) {
  console.log("who", req.user);
  next();
}
function blocker(req, res, next) {
  if (!req.headers["x-api-key"]) return next(new Error("denied"));
  next();
}
app.post("/a", gate, (req, res) => res.json({}));
app.post("/b", requireLogin, (req, res) => res.json({}));
app.post("/c", blocker, (req, res) => res.json({}));
app.post("/d", (req, res) => {
  if (!req.user) return res.status(401).end();
  res.json({});
});
"""
        }
    )
    assert auth(found["POST /a"]) == ["gate@route"]
    assert auth(found["POST /b"]) == []  # named like a guard, lets everyone through
    assert auth(found["POST /c"]) == ["blocker@route"]
    assert auth(found["POST /d"]) == ["anonymous@route"]  # the handler rejects itself


def test_library_guards_validators_and_limiters() -> None:
    found = routes(
        {
            "app.ts": """
import express from "express";
import passport from "passport";
import { expressjwt } from "express-jwt";
import rateLimit from "express-rate-limit";
import { body, validationResult } from "express-validator";
const app = express();
const jwt = expressjwt({ secret: "k", algorithms: ["HS256"] });
const maybe = expressjwt({ secret: "k", algorithms: ["HS256"], credentialsRequired: false });
app.post("/p", passport.authenticate("local"), (req, res) => res.json({}));
app.post("/j", jwt, body("email").isEmail().normalizeEmail(), (req, res) => res.json({}));
app.post("/m", maybe, (req, res) => res.json({}));
app.post("/r", rateLimit({ limit: 5 }), (req, res) => res.json({}));
"""
        }
    )
    assert auth(found["POST /p"]) == ["passport.authenticate@route"]
    assert auth(found["POST /j"]) == ["jwt@route"]
    assert found["POST /j"].validation == ("body",)
    assert auth(found["POST /m"]) == []
    assert [g.name for g in found["POST /r"].rate_limits] == ["rateLimit"]


def test_middleware_order_and_prefix_scope() -> None:
    found = routes(
        {
            "app.js": """
const express = require("express");
const { expressjwt } = require("express-jwt");
const app = express();
app.delete("/early/:id", (req, res) => res.end());
app.use("/admin", expressjwt({ secret: "s", algorithms: ["HS256"] }));
app.delete("/admin/users/:id", (req, res) => res.end());
app.delete("/administrators/:id", (req, res) => res.end());
app.all("/admin/*", (req, res) => res.end());
"""
        }
    )
    assert auth(found["DELETE /early/:id"]) == []
    assert auth(found["DELETE /admin/users/:id"]) == ["expressjwt@app"]
    assert auth(found["DELETE /administrators/:id"]) == []  # a prefix matches whole segments
    assert found["* /admin/*"].auth


def test_routes_registered_on_a_passed_app_follow_the_call_order() -> None:
    found = routes(
        {
            "app.js": """
const express = require("express");
const passport = require("passport");
const app = express();
require("./open")(app);
app.use(passport.authenticate("jwt", { session: false }));
require("./closed")(app);
""",
            "open.js": "module.exports = (app) => { app.post('/open', (req, res) => res.end()); };",
            "closed.js": """
module.exports = function (app) {
  app.post("/closed", (req, res) => res.end());
};
""",
        }
    )
    assert auth(found["POST /open"]) == []
    assert auth(found["POST /closed"]) == ["passport.authenticate@app"]


def test_config_public_routes_and_test_files() -> None:
    config = Config(root=Path("."), public_routes=("/webhooks/*",))
    found = routes(
        {
            "app.js": """
const app = require("express")();
app.post("/webhooks/stripe", (req, res) => res.end());
app.set("env", "production");
app.get("env");
""",
            "app.test.js": """
const app = require("express")();
app.post("/only-in-test", (req, res) => res.end());
""",
        },
        config,
    )
    assert list(found) == ["POST /webhooks/stripe"]  # app.get("env") reads a setting
    assert found["POST /webhooks/stripe"].public


def test_fastify_routes_plugins_prefixes_and_hooks() -> None:
    found = routes(
        {
            "server.js": """
const fastify = require("fastify")({ logger: true });
const fp = require("fastify-plugin");
const users = require("./users");

fastify.register(require("@fastify/jwt"), { secret: process.env.SECRET });
fastify.decorate("authenticate", async function (request, reply) {
  try {
    await request.jwtVerify();
  } catch (err) {
    reply.send(err);
  }
});
fastify.post("/orders", async (request, reply) => ({}));
fastify.delete("/orders/:id", { onRequest: [fastify.authenticate] }, async () => null);
fastify.route({
  method: ["PUT", "PATCH"],
  url: "/carts/:id",
  schema: { body: { type: "object" } },
  preHandler: fastify.authenticate,
  handler: async () => ({}),
});
fastify.register(users, { prefix: "/users" });
fastify.register(fp(async (instance) => {
  instance.get("/health", async () => "ok");
}));
""",
            "users.ts": """
import type { FastifyInstance } from "fastify";
export default async function users(app: FastifyInstance) {
  app.addHook("onRequest", async (request, reply) => {
    if (!request.headers.authorization) {
      return reply.code(401).send({ error: "unauthorized" });
    }
  });
  app.delete("/:id", async () => null);
}
""",
        }
    )
    assert sorted(found) == [
        "DELETE /orders/:id",
        "DELETE /users/:id",
        "GET /health",
        "POST /orders",
        "PUT,PATCH /carts/:id",
    ]
    assert auth(found["POST /orders"]) == []
    assert auth(found["DELETE /orders/:id"]) == ["fastify.authenticate@route"]
    assert auth(found["PUT,PATCH /carts/:id"]) == ["fastify.authenticate@route"]
    assert found["PUT,PATCH /carts/:id"].validation == ("schema",)
    assert [g.level for g in found["DELETE /users/:id"].auth] == ["router"]
    assert found["DELETE /users/:id"].framework == "fastify"


def test_fastify_hooks_stay_inside_their_plugin() -> None:
    found = routes(
        {
            "app.mjs": """
import Fastify from "fastify";
import rateLimit from "@fastify/rate-limit";
const app = Fastify();
await app.register(rateLimit, { max: 100 });
app.register(async function admin(child) {
  child.addHook("preHandler", async (request, reply) => {
    if (!request.user) throw reply.code(403);
  });
  child.delete("/admin/users/:id", async () => null);
});
app.delete("/users/:id", async () => null);
"""
        }
    )
    assert found["DELETE /admin/users/:id"].auth
    assert auth(found["DELETE /users/:id"]) == []  # the sibling plugin's hook is not its
    assert [g.name for g in found["DELETE /users/:id"].rate_limits] == ["rateLimit"]


NEST_MAIN = """
import { NestFactory } from "@nestjs/core";
import { ValidationPipe } from "@nestjs/common";
import { AppModule } from "./app.module";
async function bootstrap() {
  const app = await NestFactory.create(AppModule);
  app.setGlobalPrefix("api");
  app.useGlobalPipes(new ValidationPipe({ whitelist: true }));
  await app.listen(3000);
}
bootstrap();
"""

NEST_GUARDS = """
import { CanActivate, ExecutionContext, Injectable, SetMetadata, UnauthorizedException } from "@nestjs/common";
import { Reflector } from "@nestjs/core";
import { AuthGuard } from "@nestjs/passport";

export const IS_PUBLIC_KEY = "isPublic";
export const Public = () => SetMetadata(IS_PUBLIC_KEY, true);

@Injectable()
export class JwtAuthGuard extends AuthGuard("jwt") {
  constructor(private reflector: Reflector) { super(); }
  canActivate(context: ExecutionContext) {
    const isPublic = this.reflector.get<boolean>(IS_PUBLIC_KEY, context.getHandler());
    if (isPublic) return true;
    return super.canActivate(context);
  }
}

@Injectable()
export class ApiKeyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest();
    if (!request.headers["x-api-key"]) throw new UnauthorizedException();
    return true;
  }
}

@Injectable()
export class LoggingGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    console.log("request");
    return true;
  }
}
"""


def test_nestjs_controllers_guards_and_global_prefix() -> None:
    found = routes(
        {
            "src/main.ts": NEST_MAIN,
            "src/guards.ts": NEST_GUARDS,
            "src/orders.controller.ts": """
import { Body, Controller, Delete, Get, Param, Post, UseGuards } from "@nestjs/common";
import { Throttle } from "@nestjs/throttler";
import { ApiKeyGuard, LoggingGuard } from "./guards";

@Controller("orders")
export class OrdersController {
  @Get()
  list() { return []; }

  @Post()
  @UseGuards(LoggingGuard)
  create(@Body() dto: CreateOrderDto) { return dto; }

  @Delete(":id")
  @UseGuards(ApiKeyGuard)
  @Throttle({ default: { limit: 3, ttl: 60000 } })
  remove(@Param("id") id: string) { return id; }
}

@UseGuards(ApiKeyGuard)
@Controller({ path: "admin" })
export class AdminController {
  @Post(["users", "members"])
  async invite() { return {}; }
}
""",
        }
    )
    assert sorted(found) == [
        "DELETE /api/orders/:id",
        "GET /api/orders",
        "POST /api/admin/members",
        "POST /api/admin/users",
        "POST /api/orders",
    ]
    assert auth(found["POST /api/orders"]) == []  # a guard that lets everyone through
    assert auth(found["DELETE /api/orders/:id"]) == ["ApiKeyGuard@route"]
    assert [g.name for g in found["DELETE /api/orders/:id"].rate_limits] == ["Throttle"]
    assert auth(found["POST /api/admin/users"]) == ["ApiKeyGuard@class"]
    assert found["POST /api/orders"].validation == ("ValidationPipe",)
    assert found["POST /api/orders"].handler == "OrdersController.create"
    assert found["POST /api/orders"].framework == "nestjs"


def test_nestjs_app_guard_and_public_opt_out() -> None:
    found = routes(
        {
            "src/guards.ts": NEST_GUARDS,
            "src/app.module.ts": """
import { Module } from "@nestjs/common";
import { APP_GUARD } from "@nestjs/core";
import { JwtAuthGuard } from "./guards";
@Module({ providers: [{ provide: APP_GUARD, useClass: JwtAuthGuard }] })
export class AppModule {}
""",
            "src/users.controller.ts": """
import { Controller, Delete, Post } from "@nestjs/common";
import { Public } from "./guards";
@Controller("users")
export class UsersController {
  @Delete(":id")
  remove() { return null; }

  @Public()
  @Post("register")
  register() { return {}; }
}
""",
        }
    )
    assert auth(found["DELETE /users/:id"]) == ["JwtAuthGuard@app"]
    assert found["POST /users/register"].public
    assert not found["DELETE /users/:id"].public


def test_a_hostile_file_does_not_stop_the_review() -> None:
    chain = "x" + ".a" * 60_000 + " = 1;\n"  # deeper than Python's recursion limit
    app = (
        'const deep = require("./deep");\nconst app = require("express")();\n'
        'app.post("/orders", deep.a, (req, res) => res.end());\n'
    )
    review = review_node({"deep.js": chain.encode(), "app.js": app.encode()}, CONFIG)
    assert review.routes == ()
    assert [(f.code, f.location.path, f.message) for f in review.findings] == [
        ("BR902", "app.js", "express route model failed (RecursionError); its routes are missing")
    ]


def test_a_service_parameter_reading_settings_is_no_router() -> None:
    """`configService.get("mail.host", {...})` in a NestJS service of a project that imports
    express: a constructor parameter, and a path that is no URL path, make no route; a
    parameter declared as express's Router still registers routes."""
    found = routes(
        {
            "src/main.ts": """
import type { Request } from "express";
import { ConfigService } from "@nestjs/config";
export class MailerService {
  constructor(private readonly configService: ConfigService) {
    this.host = configService.get("mail.host", { infer: true });
  }
}
export function settings(config: ConfigService) {
  return config.get("mail.port", { infer: true });
}
""",
            "src/routes.ts": """
import type { Router } from "express";
export default function mount(router: Router) {
  router.get("/items", (req, res) => res.json([]));
}
""",
        }
    )
    assert sorted(found) == ["GET /items"]


def test_paths_from_constants_concatenation_and_loops_over_literals() -> None:
    found = routes(
        {
            "app.js": """
const express = require("express");
const app = express();
const API = "/api";
const VERSION = "v2";
app.get(API + "/items", (req, res) => res.json([]));
app.post(`${API}/${VERSION}/items`, (req, res) => res.json({}));
for (const page of ["/about", "/terms"]) app.get(page, (req, res) => res.send(""));
const files = new Map([
  // a comment between the entries
  ["/js/app.js", "dist/app.js"],
  ["/css/app.css", "dist/app.css"],
]);
for (const [url, file] of files) {
  app.head(url, (req, res) => res.sendFile(file));
}
function mount(prefix) {
  app.delete(prefix + "/x", (req, res) => res.end());  // unknown prefix: no route
}
let mutable = "/maybe";
app.put(mutable, (req, res) => res.end());  // not a const: unknown
""",
        }
    )
    assert sorted(found) == [
        "GET /about",
        "GET /api/items",
        "GET /terms",
        "HEAD /css/app.css",
        "HEAD /js/app.js",
        "POST /api/v2/items",
    ]


def test_passport_login_steps_are_not_guards() -> None:
    """A `failureRedirect` makes passport.authenticate the browser login flow (OAuth callback,
    login form), open to anonymous visitors; without one it guards the route."""
    found = routes(
        {
            "app.js": """
const express = require("express");
const passport = require("passport");
const app = express();
app.get("/auth/github/callback", passport.authenticate("github", { failureRedirect: "/login" }), (req, res) => res.redirect("/"));
app.post("/login", passport.authenticate("local", { successRedirect: "/", failureRedirect: "/login" }));
app.get("/api/me", passport.authenticate("jwt", { session: false }), (req, res) => res.json(req.user));
"""
        }
    )
    assert auth(found["GET /auth/github/callback"]) == []
    assert auth(found["POST /login"]) == []
    assert auth(found["GET /api/me"]) == ["passport.authenticate@route"]
