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
