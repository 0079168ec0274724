"""Bare specifiers resolved through the target's tsconfig.json and package.json."""

from __future__ import annotations

from pathlib import Path

from reviewer.config import Config
from reviewer.node import review_node
from reviewer.node.manifests import Manifests, load_jsonc, read_manifests
from reviewer.node.modules import resolve_spec
from tests.node.test_node_frontend import auth, routes

FILES = frozenset(
    {
        "apps/api/src/app.ts",
        "apps/api/src/routes/users.ts",
        "apps/api/src/lib/auth/index.ts",
        "packages/shared/src/index.ts",
        "packages/shared/src/db.ts",
        "packages/legacy/lib/main.js",
    }
)
TSCONFIG = b"""{
  // comments and trailing commas, as tsc accepts them
  "compilerOptions": {
    "baseUrl": "./src",
    "paths": { "@/*": ["./*"], "~auth": ["lib/auth"], },
  },
}"""
MANIFESTS = {
    "apps/api/tsconfig.json": TSCONFIG,
    "packages/shared/package.json": b'{"name": "@acme/shared", "exports": {".": {"import":'
    b' "./src/index.ts", "require": "./dist/index.js"}, "./db": "./src/db.ts"}}',
    "packages/legacy/package.json": b'{"name": "legacy", "main": "lib/main.js"}',
}


def test_tsconfig_paths_base_url_and_local_packages() -> None:
    found = Manifests.of(MANIFESTS)
    importer = "apps/api/src/app.ts"
    assert resolve_spec(importer, "@/routes/users", FILES, found) == "apps/api/src/routes/users.ts"
    assert resolve_spec(importer, "~auth", FILES, found) == "apps/api/src/lib/auth/index.ts"
    assert resolve_spec(importer, "routes/users", FILES, found) == "apps/api/src/routes/users.ts"
    assert resolve_spec(importer, "@acme/shared", FILES, found) == "packages/shared/src/index.ts"
    assert resolve_spec(importer, "@acme/shared/db", FILES, found) == "packages/shared/src/db.ts"
    assert resolve_spec(importer, "legacy", FILES, found) == "packages/legacy/lib/main.js"
    assert resolve_spec(importer, "express", FILES, found) is None
    # outside apps/api the tsconfig does not apply
    assert resolve_spec("packages/shared/src/db.ts", "@/routes/users", FILES, found) is None


def test_jsonc_that_is_not_json_is_ignored() -> None:
    assert load_jsonc(b'{"a": "// not a comment", /* c */ "b": [1, 2,],}') == {
        "a": "// not a comment",
        "b": [1, 2],
    }
    assert load_jsonc(b"{ nope") is None
    assert Manifests.of({"tsconfig.json": b"[1, 2]", "package.json": b"{"}).configs == {}


def test_a_router_imported_through_a_path_alias_is_mounted() -> None:
    found = routes(
        {
            "src/app.ts": """
import express from "express";
import users from "@/routes/users";
const app = express();
app.use("/users", requireAuth, users);
function requireAuth(req, res, next) { if (!req.user) return res.sendStatus(401); next(); }
""",
            "src/routes/users.ts": """
import { Router } from "express";
const router = Router();
router.delete("/:id", (req, res) => res.sendStatus(204));
export default router;
""",
        },
        manifests={"tsconfig.json": '{"compilerOptions": {"paths": {"@/*": ["./src/*"]}}}'},
    )
    assert sorted(found) == ["DELETE /users/:id"]
    assert auth(found["DELETE /users/:id"]) == ["requireAuth@app"]


def test_manifests_are_read_from_the_target_without_leaving_it(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "tsconfig.json").write_text('{"compilerOptions": {"baseUrl": "src"}}')
    (tmp_path / "src" / "package.json").write_text('{"name": "app"}')
    outside = tmp_path.parent / "outside-tsconfig.json"
    outside.write_text("{}")
    (tmp_path / "src" / "tsconfig.json").symlink_to(outside)
    got = read_manifests(tmp_path, ["src/app.ts"])
    assert sorted(got) == ["src/package.json", "tsconfig.json"]
    files = {
        "src/app.js": b'const express = require("express");\nconst r = require("routes");\n'
        b'const app = express();\napp.use("/r", r);\n',
        "src/routes.js": b'const r = require("express").Router();\nr.post("/x", (q, s) => 1);\n'
        b"module.exports = r;\n",
    }
    review = review_node(files, Config(root=tmp_path))
    assert [r.path for r in review.routes] == ["/r/x"]
