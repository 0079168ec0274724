"""NestJS global prefix read from configuration (reviewer/node/nest_config.py), through the
real tree-sitter parse and route model: @nestjs/config namespaces, env fallbacks, get defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer.config import Config
from reviewer.node import review_node

CONTROLLER = """
import { Controller, Get } from "@nestjs/common";
@Controller("orders")
export class OrdersController {
  @Get()
  list() { return []; }
}
"""

APP_CONFIG = """
import { registerAs } from "@nestjs/config";
export default registerAs("app", () => {
  const port = 3000;
  return {
    port,
    http: { apiPrefix: process.env.API_PREFIX || "rest" },
  };
});
"""


def paths(main: str, extra: dict[str, str] | None = None) -> list[str]:
    files = {"src/main.ts": main, "src/orders.controller.ts": CONTROLLER, **(extra or {})}
    review = review_node({p: t.encode() for p, t in files.items()}, Config(root=Path(".")), {})
    return sorted(r.path for r in review.routes)


def main_with(prefix: str) -> str:
    return f"""
import {{ NestFactory }} from "@nestjs/core";
import {{ ConfigService }} from "@nestjs/config";
import {{ AppModule }} from "./app.module";
async function bootstrap() {{
  const app = await NestFactory.create(AppModule);
  const configService = app.get(ConfigService);
  app.setGlobalPrefix({prefix}, {{ exclude: ["/"] }});
  await app.listen(3000);
}}
bootstrap();
"""


def test_a_namespaced_key_reads_the_registerAs_factory_default() -> None:
    main = main_with('configService.getOrThrow("app.http.apiPrefix", { infer: true })')
    assert paths(main, {"src/config/app.config.ts": APP_CONFIG}) == ["/rest/orders"]


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ('process.env.API_PREFIX ?? "v2"', "/v2/orders"),
        ('configService.get("API_PREFIX", "svc")', "/svc/orders"),
        ('configService.get<string>("API_PREFIX") || "api"', "/orders"),  # not env: unknown
        ("process.env.API_PREFIX", "/orders"),  # no default: nothing known
        ('configService.get("app.missing")', "/orders"),
    ],
)
def test_env_fallbacks_and_get_defaults(prefix: str, expected: str) -> None:
    assert paths(main_with(prefix), {"src/config/app.config.ts": APP_CONFIG}) == [expected]


def test_a_registerAs_not_from_nestjs_config_is_not_a_namespace() -> None:
    other = APP_CONFIG.replace('"@nestjs/config"', '"./my-registry"')
    main = main_with('configService.get("app.http.apiPrefix")')
    assert paths(main, {"src/config/app.config.ts": other}) == ["/orders"]
