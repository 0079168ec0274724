"""BR702's Node side (reviewer/checks/errors/_javascript.py) on real tree-sitter parses."""

from __future__ import annotations

from reviewer.checks.errors._javascript import exposed_errors
from reviewer.node.syntax import parse

SOURCE = """
const express = require("express");
const app = express();
app.get("/a", async (req, res) => {
  try { await work(); } catch (err) {
    res.status(500).json({ error: err.message });
  }
});
app.get("/b", async (req, res) => {
  try { await work(); } catch (e) {
    res.status(400).json({ error: e.message });
  }
});
app.get("/c", async (req, res) => {
  try { await work(); } catch (e) {
    if (e instanceof ValidationError) return res.json({ error: e.message });
    res.status(500).json({ error: "internal error" });
  }
});
app.get("/d", async (req, res) => {
  try { await work(); } catch (e) {
    res.json({ ok: false, e });
  }
});
app.use((err, req, res, next) => {
  res.status(500).send(err.stack);
});
app.use((err, req, res, next) => {
  if (process.env.NODE_ENV !== "production") return res.status(500).json({ stack: err.stack });
  res.status(500).json({ error: "internal" });
});
fastify.get("/f", async (request, reply) => {
  try { await work(); } catch (err) {
    reply.send(err);
  }
});
router.get("/k", async (ctx) => {
  try { await work(); } catch (err) {
    ctx.body = err.message;
  }
});
"""


def test_exposed_errors_and_near_misses() -> None:
    found = [
        (n.start_point[0] + 1, what)
        for n, what in exposed_errors(parse("app.js", SOURCE.encode()).root)
    ]
    assert found == [
        (6, "`err.message`"),  # a 500 with the message
        (22, "the error object `e`"),  # the error object, no status
        (26, "`err.stack`"),  # error middleware sending the stack
        (39, "`err.message`"),  # Koa ctx.body
    ]
