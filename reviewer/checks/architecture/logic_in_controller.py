"""BR401: a route handler that does data access and business logic itself."""

from __future__ import annotations

import libcst as cst

from reviewer.checks.architecture._handlers import route_label
from reviewer.checks.architecture._measure import measure
from reviewer.checks.base import Invalid, Rule, Valid
from reviewer.framework.lookup import handler_routes
from reviewer.model import Confidence, Severity


class LogicInController(Rule):
    """A route handler that queries the database, loops and branches over business data.

    ## What it does
    Measures every route handler of the route inventory: database calls (Django managers and
    querysets, SQLAlchemy sessions, Flask-SQLAlchemy `Model.query`, DB-API cursors), the models
    they touch, `for`/`while` loops, branches and statements. It reports a handler that makes
    more than `max-db-calls` database calls, touches more than `max-models` models, loops while
    it queries (more than `max-loops` loops), or branches more than `max-branches` times while
    it queries. The measures are attached to the finding. A thin handler that validates input,
    calls a service and shapes the response passes; so does a handler with one or two simple
    queries.

    Options (`rules: {BR401: {...}}`): `max-db-calls` (3), `max-models` (2), `max-loops` (0),
    `max-branches` (4).

    ## Why is this bad
    Business rules inside HTTP handlers cannot be reused from a CLI, a task queue or another
    endpoint, are tested only through HTTP, and mix transaction handling with request parsing.
    Such handlers grow until nobody dares change them; the same rule ends up copied into several
    endpoints and drifts.

    ## Example
    ```python
    @app.post("/orders")
    def create_order():
        data = request.get_json()
        customer = Customer.query.get(data["customer_id"])
        for line in data["lines"]:
            product = Product.query.get(line["sku"])
            if product.stock < line["qty"]:
                abort(409)
            product.stock -= line["qty"]
            db.session.add(OrderLine(product=product, qty=line["qty"]))
        db.session.commit()
        return jsonify(ok=True)
    ```

    ## Use instead
    ```python
    @app.post("/orders")
    def create_order():
        payload = OrderIn.model_validate(request.get_json())
        order = order_service.place(payload)
        return jsonify(OrderOut.from_orm(order).model_dump()), 201
    ```

    ## References
    - https://martinfowler.com/eaaCatalog/serviceLayer.html
    - https://www.cosmicpython.com/book/chapter_04_service_layer.html
    """

    code = "BR401"
    name = "logic-in-controller"
    item = "architecture"
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    summary = "route handler does data access and business logic instead of a service layer"
    needs_project = True
    options = {"max-db-calls": 3, "max-models": 2, "max-loops": 0, "max-branches": 4}

    VALID = [
        Valid(
            """
from flask import Flask, jsonify, request, session
from .services import order_service
app = Flask(__name__)

@app.post("/orders")
def create_order():                                 # ok: BR401
    payload = OrderIn.model_validate(request.get_json())
    if payload.total <= 0:
        return jsonify(error="empty order"), 400
    order = order_service.place(payload)
    return jsonify(OrderOut.from_orm(order).model_dump()), 201

@app.get("/orders/<int:order_id>")
def get_order(order_id):                            # ok: BR401 (one simple query)
    order = Order.query.get_or_404(order_id)
    return jsonify(order.to_dict())

@app.get("/cart")
def cart():                                         # ok: BR401 (session dict, not a DB)
    items = session.get("cart", [])
    for item in items:
        if item.get("qty", 0) > 1:
            item["bulk"] = True
    return jsonify(items=items, user=request.session.get("user"))

@app.get("/orders")
def list_orders():                                  # ok: BR401 (shaping the response)
    return jsonify([o.to_dict() for o in Order.query.filter_by(open=True).all()])

def helper():                                       # ok: BR401 (not a route handler)
    for o in Order.query.all():
        if o.late:
            db.session.delete(o)
    db.session.commit()
"""
        ),
    ]
    INVALID = [
        Invalid(
            """
from flask import Flask, abort, jsonify, request
app = Flask(__name__)

@app.post("/orders")
def create_order():                                 # expect: BR401
    data = request.get_json()
    customer = Customer.query.get(data["customer_id"])
    for line in data["lines"]:
        product = Product.query.get(line["sku"])
        if product.stock < line["qty"]:
            abort(409)
        product.stock -= line["qty"]
        db.session.add(OrderLine(product=product, qty=line["qty"]))
    db.session.commit()
    return jsonify(ok=True)
"""
        ),
        Invalid(
            """
from fastapi import APIRouter, Depends
from sqlalchemy import select
from sqlalchemy.orm import Session
router = APIRouter()

@router.get("/stats")
def stats(db: Session = Depends(get_db)):           # expect: BR401
    users = db.scalars(select(User)).all()
    orders = db.scalars(select(Order)).all()
    refunds = db.scalars(select(Refund)).all()
    active = db.query(User).filter(User.active).count()
    return {"users": len(users), "orders": len(orders), "refunds": len(refunds), "active": active}
"""
        ),
        Invalid(
            """
from django.http import JsonResponse
from rest_framework.views import APIView
from rest_framework.response import Response
from .models import Invoice, Payment

def close_month(request):  # expect: BR401
    for invoice in Invoice.objects.filter(open=True):
        paid = sum(p.amount for p in Payment.objects.filter(invoice=invoice))
        if paid >= invoice.total:
            invoice.open = False
            invoice.save()
    return JsonResponse({"ok": True})

class InvoiceView(APIView):
    def get(self, request, pk):  # ok: BR401 (one query, shaping the response)
        return Response(InvoiceSerializer(Invoice.objects.get(pk=pk)).data)

    def delete(self, request, pk):  # expect: BR401
        invoice = Invoice.objects.get(pk=pk)
        Payment.objects.filter(invoice=invoice).delete()
        Refund.objects.filter(invoice=invoice).delete()
        AuditLog.objects.create(action="delete", invoice=invoice)
        invoice.delete()
        return Response(status=204)
""",
            path="billing/views.py",
            files={
                "billing/urls.py": "from django.urls import path\nfrom . import views\n"
                "urlpatterns = [path('close/', views.close_month),\n"
                "    path('invoices/<int:pk>/', views.InvoiceView.as_view())]\n",
            },
        ),
    ]

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        qualname = self.ctx.scope_name()
        routes = handler_routes(self.ctx, qualname)
        if not routes:
            return
        m = measure(node, self.ctx.resolve)
        reasons: list[str] = []
        if m.db_calls > self.option("max-db-calls"):
            reasons.append(f"{m.db_calls} database calls")
        if len(m.models) > self.option("max-models"):
            reasons.append(f"{len(m.models)} models ({', '.join(sorted(m.models))})")
        if m.db_calls and m.loops > self.option("max-loops"):
            reasons.append(f"{m.loops} loop{'s' * (m.loops > 1)} around data access")
        if m.db_calls and m.branches > self.option("max-branches"):
            reasons.append(f"{m.branches} branches")
        if not reasons:
            return
        self.report(
            node.name,
            f"{route_label(routes, qualname)} runs business logic in the controller: "
            f"{', '.join(reasons)}. Move the queries and rules into a service or repository "
            "function and keep the handler to parsing input, calling it and shaping the "
            "response.",
            extra=[
                ("db_calls", m.db_calls),
                ("models", len(m.models)),
                ("loops", m.loops),
                ("branches", m.branches),
                ("statements", m.statements),
            ],
        )
