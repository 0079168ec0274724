"""The Node.js frontend: JavaScript and TypeScript services, parsed with tree-sitter.

It contributes what the language-neutral core reads: `Route`/`Guard` records for the route
inventory (Express, Fastify, NestJS, Hono and Koa so far), the rate limiters it found, BR901 for files that do not parse, and
the checklist items its routes make applicable. It never runs Node.js or the reviewed code.
"""

from reviewer.node.review import NODE_ITEMS, NodeReview, review_node

__all__ = ["NODE_ITEMS", "NodeReview", "review_node"]
