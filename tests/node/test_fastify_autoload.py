"""@fastify/autoload on small programs: folders as prefixes, autohooks, autoPrefix."""

from __future__ import annotations

from tests.node.test_node_frontend import auth, routes

APP = """
import path from "node:path";
import Fastify from "fastify";
import autoload from "@fastify/autoload";
const app = Fastify();
app.register(autoload, { dir: path.join(import.meta.dirname, "plugins") });
app.register(autoload, {
  dir: path.join(import.meta.dirname, "routes"),
  autoHooks: true,
  cascadeHooks: CASCADE,
});
export default app;
"""
FILES = {
    "src/plugins/rate-limit.ts": 'import rateLimit from "@fastify/rate-limit";\n'
    "export default rateLimit;\n",
    "src/routes/home.ts": "export default async function (f) {\n"
    '  f.get("/", async () => "hi");\n}\n',
    "src/routes/api/autohooks.ts": "export default async function (fastify) {\n"
    '  fastify.addHook("onRequest", async (request, reply) => {\n'
    "    if (!request.session.user) reply.unauthorized();\n  });\n}\n",
    "src/routes/api/tasks/index.ts": "const plugin = async (fastify) => {\n"
    '  fastify.delete("/:id", async () => null);\n};\nexport default plugin;\n',
    "src/routes/api/users.ts": 'export const autoPrefix = "/people";\n'
    "export default async function (app) {\n"
    '  app.post("/", async () => ({}));\n}\n',
    "src/routes/api/users.test.ts": "export default async function (app) {\n"
    '  app.post("/test-only", async () => ({}));\n}\n',
}


def test_folders_are_prefixes_and_autohooks_cover_their_folder() -> None:
    found = routes({"src/app.ts": APP.replace("CASCADE", "true"), **FILES})
    assert sorted(found) == ["DELETE /api/tasks/:id", "GET /", "POST /api/people"]
    assert auth(found["GET /"]) == []
    assert auth(found["POST /api/people"]) == ["inline middleware@router"]
    assert auth(found["DELETE /api/tasks/:id"]) == ["inline middleware@router"]  # cascades
    limits = {r: [g.name for g in found[r].rate_limits] for r in found}
    assert limits["GET /"] == ["@fastify/rate-limit"]


def test_without_cascade_hooks_a_subfolder_is_not_covered() -> None:
    found = routes({"src/app.ts": APP.replace("CASCADE", "false"), **FILES})
    assert auth(found["POST /api/people"]) == ["inline middleware@router"]
    assert auth(found["DELETE /api/tasks/:id"]) == []


def test_a_hook_calling_a_request_decorator_is_judged_by_it() -> None:
    """fastify/demo's `preHandler: (request, reply) => request.isAdmin(reply)`, `isAdmin`
    calling `this.verifyAccess(reply, "admin")`, which answers 403 on a missing role."""
    found = routes(
        {
            "src/app.js": """
const Fastify = require("fastify");
const app = Fastify();
function verifyAccess(reply, role) {
  if (!this.session.user.roles.includes(role)) {
    reply.status(403).send("not allowed");
  }
}
async function isAdmin(reply) { this.verifyAccess(reply, "admin"); }
async function audit(reply) { this.log.info("seen"); }
app.decorateRequest("verifyAccess", verifyAccess);
app.decorateRequest("isAdmin", isAdmin);
app.decorateRequest("audit", audit);
app.delete("/tasks/:id", { preHandler: (request, reply) => request.isAdmin(reply) }, async () => null);
app.patch("/tasks/:id", { preHandler: (request, reply) => request.audit(reply) }, async () => ({}));
module.exports = app;
""",
        }
    )
    assert [g.name for g in found["DELETE /tasks/:id"].authorization] == ["inline middleware"]
    assert found["DELETE /tasks/:id"].auth == ()  # the role check assumes a user
    assert found["PATCH /tasks/:id"].authorization == () and found["PATCH /tasks/:id"].auth == ()


def test_autoload_options_prefix_reaches_plugins_and_their_options() -> None:
    """@fastify/autoload's `options.prefix` (a trailing `/` dropped) comes before a folder's
    prefix: encapsulated plugins' routes get it; a fastify-plugin wrapped plugin gets it only as
    `options.prefix` (here `/api` + `/` with `dirNameRoutePrefix: false`), the realworld shape."""
    found = routes(
        {
            "src/app.js": """
const path = require("path");
const fp = require("fastify-plugin");
const autoLoad = require("@fastify/autoload");
async function plugin(server, config) {
  server.register(require("@fastify/cors")).register(autoLoad, {
    dir: path.join(__dirname, "routes"),
    options: config,
    dirNameRoutePrefix: false,
  });
}
module.exports = fp(plugin);
""",
            "src/index.js": """
const start = require("./app");
async function getConfig() {
  const config = { prefix: process.env.API_PREFIX, port: 3000 };
  return config;
}
const main = async () => {
  const config = await getConfig();
  const server = require("fastify")();
  server.register(start, config);
};
main();
""",
            "src/routes/users/index.js": """
const fp = require("fastify-plugin");
async function users(server, options) {
  server.route({ method: "GET", path: options.prefix + "user", handler: async () => ({}) });
}
module.exports = fp(users);
""",
            "src/routes/tags/index.js": """
module.exports = async function (server, opts) {
  server.get("/tags", async () => []);
};
""",
        },
        manifests={".env.example": "# copy to .env\nAPI_PREFIX=/api/\nOTHER='x' # note\n"},
    )
    assert sorted(found) == ["GET /api/tags", "GET /api/user"]


def test_an_unknown_prefix_leaves_the_route_out() -> None:
    found = routes(
        {
            "src/app.js": """
const fastify = require("fastify")();
fastify.register(async function (app, opts) {
  app.get(opts.prefix + "x", async () => 1);
  app.get("/y", async () => 2);
}, { prefix: process.env.UNSET });
""",
        }
    )
    assert sorted(found) == ["GET /y"]


def test_a_swallowed_jwt_verify_is_no_authentication() -> None:
    found = routes(
        {
            "src/app.js": """
const fastify = require("fastify")();
fastify.decorate("optional", async function (req) {
  try { await req.jwtVerify(); } catch (err) { /* anonymous */ }
});
fastify.decorate("required", async function (req) {
  try { await req.jwtVerify(); } catch (err) { throw new Error("401"); }
});
fastify.delete("/a", { onRequest: [fastify.optional] }, async () => null);
fastify.delete("/b", { onRequest: [fastify.required] }, async () => null);
""",
        }
    )
    assert auth(found["DELETE /a"]) == []
    assert auth(found["DELETE /b"]) == ["fastify.required@route"]
