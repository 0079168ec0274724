"""BR210 plaintext-password: a password stored, queried or compared as the plain string."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import libcst as cst

from reviewer.checks.base import Invalid, Rule, Valid
from reviewer.checks.secrets._common import literal_string, name_words
from reviewer.model import Confidence, Severity
from reviewer.walk import walk, walk_scope

# A column / model field / record key that holds the password itself (`password_hash`,
# `hashed_password`, `password_digest` end or start in another word and are not it).
_FIELD = re.compile(r"^_*(user_?)?(password|passwd|pwd|passphrase|pass_word)\d*$", re.IGNORECASE)
# The same inside SQL text: `password = ?`, `(username, password, ...)`, `SET password=`, in a
# statement (`SELECT ... FROM`, `UPDATE t SET`, `INSERT INTO`, `WHERE`), not a sentence.
_SQL_FIELD = re.compile(
    r"\b(password|passwd|pwd|passphrase|pass_word)\d*\b\s*(=|,|\)|like\b)"
    r"|[(,]\s*(password|passwd|pwd|passphrase|pass_word)\d*\b",
    re.IGNORECASE,
)
_ANY_PASSWORD = re.compile(r"pass|pwd", re.IGNORECASE)
_SQL_VERB = re.compile(
    r"\bselect\b[\s\S]*\bfrom\b|\bupdate\s+\S+\s+set\b|\binsert\s+into\b|\bdelete\s+from\b"
    r"|\bwhere\b",
    re.IGNORECASE,
)


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words of a name holding a password value (`password`, `raw_password`, `passwd`, `pass1`) ...
_PASSWORD_WORDS = _wordset("password passwd pwd passphrase pass pw pword passw")
# ... unless another word says it is about the password, or already a hash of it.
_NOT_RAW_WORDS = _wordset("""
    hash hashed hasher hashes digest encrypted enc crypted crypt hint policy token reset length
    len min max field fields label salt strength regex pattern error errors msg message url
    rounds iterations validator validators is has check checked valid required widget expiry
    expires changed date at time mode placeholder help column col input type
    """)
# Keys of submitted form/JSON data that carry the password (`request.POST.get("pass")`).
_KEY_WORDS = _PASSWORD_WORDS

# Calls that turn a password into something else: a hasher or a KDF, recognised by the
# library (Django, werkzeug, passlib, bcrypt, argon2, hashlib, cryptography's KDFs) or by
# what the function says it does (`hash_password`, `get_password_hash`, `encrypt`).
_HASHER_PREFIXES = ("passlib.", "argon2.", "bcrypt.", "flask_bcrypt.", "cryptography.hazmat.")
_HASHER_CALLS = frozenset(
    {
        "django.contrib.auth.hashers.make_password",
        "werkzeug.security.generate_password_hash",
        "werkzeug.generate_password_hash",
        "hashlib.pbkdf2_hmac",
        "hashlib.scrypt",
        "crypt.crypt",
    }
)
_HASHER_WORDS = re.compile(
    r"hash|crypt|digest|derive|kdf|pbkdf|scrypt|argon|^make_password$", re.IGNORECASE
)
# Calls that hand a string on unchanged (for the question "is this still the raw password").
_PASSTHROUGH_METHODS = frozenset(
    {"strip", "lstrip", "rstrip", "encode", "decode", "lower", "upper", "casefold"}
)
_PASSTHROUGH_FUNCS = frozenset({"str", "bytes"})
_GETTERS = frozenset({"get", "getlist", "getfirst", "pop", "get_argument", "getvalue"})

# ORM writes: Django managers/querysets, peewee/Tortoise `Model.create`, SQLAlchemy `.values`.
_MANAGER_WRITES = frozenset({"create", "get_or_create", "update_or_create", "update"})
# ORM reads that match a field: Django, SQLAlchemy, peewee, Tortoise, Q objects.
_QUERY_CALLS = frozenset({"filter", "filter_by", "get", "exclude", "get_or_none", "where", "Q"})
_PERSIST_CALLS = frozenset({"add", "add_all", "merge", "bulk_create", "bulk_save_objects"})
_SQL_CALLS = frozenset(
    {"execute", "executemany", "exec_driver_sql", "raw", "fetch", "fetchrow", "fetchval"}
)
# Roots of submitted data: one of these on both sides of `==` is a confirmation check.
_SUBMITTED_ROOTS = _wordset("""
    request req form args POST GET json body payload data params cleaned_data validated_data
    serializer values kwargs credentials creds form_data login_data user_in signin_data
    """)
_CONFIRM_WORDS = _wordset("confirm confirmation again repeat retype verify check new2")
_MODEL_BASES = re.compile(r"(Model|Base|Document|SQLModel|DeclarativeBase)$")


def _words(name: str) -> set[str]:
    return {w.rstrip("0123456789") for w in name_words(name)}


def _is_field(name: str | None) -> bool:
    return bool(name) and bool(_FIELD.match(name or ""))


def _is_password_value_name(name: str) -> bool:
    words = _words(name)
    return bool(words & _PASSWORD_WORDS) and not words & _NOT_RAW_WORDS


def _last(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return node.attr.value
    return None


def _root(node: cst.BaseExpression) -> str | None:
    while True:
        if isinstance(node, cst.Attribute):
            if isinstance(node.value, cst.Name) and node.value.value == "self":
                return node.attr.value  # `self.request.POST`: the request
            node = node.value
        elif isinstance(node, cst.Subscript):
            node = node.value
        elif isinstance(node, cst.Call):
            node = node.func
        elif isinstance(node, cst.Name):
            return node.value
        else:
            return None


def _subscript_key(node: cst.Subscript) -> str | None:
    if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
        return None
    return literal_string(node.slice[0].slice.value)


def _getter_key(node: cst.Call) -> str | None:
    if isinstance(node.func, cst.Attribute) and node.func.attr.value in _GETTERS and node.args:
        return literal_string(node.args[0].value)
    return None


def _keyword(call: cst.Call, name: str) -> cst.BaseExpression | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg.value
    return None


def _is_literal(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.SimpleString | cst.ConcatenatedString | cst.Integer | cst.Float):
        return True
    return isinstance(node, cst.Name) and node.value in ("None", "True", "False")


@dataclass
class _Model:
    """A class of the file under review: is it an ORM model, which fields hash on assignment."""

    is_model: bool
    hashed: set[str] = field(default_factory=set)


_SAVE_HOOKS = frozenset({"save", "__init__", "__setattr__", "pre_save", "before_save"})


def _class_binding(
    small: cst.BaseSmallStatement,
) -> tuple[str | None, cst.BaseExpression | None]:
    if isinstance(small, cst.Assign) and len(small.targets) == 1:
        target = small.targets[0].target
        return (target.value if isinstance(target, cst.Name) else None), small.value
    if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
        return small.target.value, small.value
    return None, None


@dataclass
class _Scope:
    """What one function (or the module body) binds and persists."""

    assigned: dict[str, list[cst.BaseExpression]] = field(default_factory=dict)
    persisted: set[str] = field(default_factory=set)  # `db.add(u)`, `u.save()`
    commits: bool = False  # `session.commit()` / `.flush()` / `.save()` somewhere


def _scan(scope_node: cst.CSTNode) -> _Scope:
    scope = _Scope()
    for node in walk_scope(scope_node):
        if isinstance(node, cst.Assign):
            for target in node.targets:
                if isinstance(target.target, cst.Name):
                    scope.assigned.setdefault(target.target.value, []).append(node.value)
        elif isinstance(node, cst.AnnAssign) and node.value is not None:
            if isinstance(node.target, cst.Name):
                scope.assigned.setdefault(node.target.value, []).append(node.value)
        elif isinstance(node, cst.NamedExpr) and isinstance(node.target, cst.Name):
            scope.assigned.setdefault(node.target.value, []).append(node.value)
        elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
            method = node.func.attr.value
            if method in _PERSIST_CALLS:
                for arg in node.args:
                    values = arg.value.elements if isinstance(arg.value, cst.List) else ()
                    for value in (arg.value, *(e.value for e in values)):
                        if isinstance(value, cst.Name):
                            scope.persisted.add(value.value)
            if method in ("save", "insert", "put", "commit", "flush", "save_base"):
                scope.commits = True
                if isinstance(node.func.value, cst.Name):
                    scope.persisted.add(node.func.value.value)
    return scope


class PlaintextPassword(Rule):
    """A password is written to storage, matched in a query or compared as the plain string.

    ## What it does
    Reports a password field (`password`, `passwd`, `pwd`, `passphrase`, `pass_word`; not
    `password_hash` / `hashed_password`) that receives, or is matched against, a password value
    that did not go through a hasher:

    - ORM writes: Django `Model.objects.create(password=raw)` / `update(...)` /
      `update_or_create(...)`, SQLAlchemy `insert(...).values(password=raw)`; and, for a model
      whose class the file can see (defined there, or Django's `User`): `User(password=raw)`
      then `add`ed or `save`d, `User.create(password=raw)` (peewee, Tortoise), `user.password =
      raw` on a row made or loaded in the function and then saved, `self.password =
      form["password"]` in the model;
    - queries that match the raw password: `filter(password=raw)`, `filter_by(...)`,
      `get(...)`, `User.password == raw` in a query, SQL text naming the password column with
      the raw value formatted in or passed as a parameter (`WHERE password = ?`);
    - in-memory checks of a stored password: `users[name]["password"] == password`,
      `user.password == request.form["password"]`.

    A raw value is a password-named variable, parameter, attribute or form/JSON key
    (`request.POST.get("pass")`, `form.password.data`, `body.password`), or a name assigned
    from one. A value that went through a hasher is not raw: Django `make_password`, werkzeug
    `generate_password_hash`, passlib, bcrypt, argon2, `hashlib.pbkdf2_hmac`/`scrypt`,
    cryptography's KDFs, or a function whose name says it hashes (`hash_password`).
    Django's `create_user`, `set_password`, `check_password`, `authenticate`, argon2's
    `ph.verify` and `bcrypt.checkpw` hash for you and pass. Literals (seed data, hard-coded
    credentials) are BR201's; fast hashes such as md5 of a password are BR203's. A model that
    hashes on assignment passes: a `@password.setter` or SQLAlchemy `@validates("password")`
    that hashes, a `synonym`/`property` built on a hashing method, a `PasswordType` column, a
    `save()`/`__init__` that hashes. A model imported from another module is not judged (its
    setter may hash), and `self.password = password` from a parameter is the caller's choice.

    ## Why is this bad
    A password kept as the string the user typed is disclosed in full by any read of the
    table: an SQL injection, a backup, a log of the query, an admin screen (CWE-256,
    CWE-312). Users reuse passwords, so the leak opens their other accounts too. Matching the
    password in the query (`WHERE password = ?`) or with `==` means it is stored in plain text.
    Django's `Model.objects.create()` stores the string it is given as-is: only
    `create_user()` / `set_password()` hash it.

    ## Example
    ```python
    def signup(request):
        User.objects.create(username=request.POST["username"], password=request.POST["password"])

    def login(request):
        user = User.objects.filter(username=name, password=request.POST["password"]).first()
    ```

    ## Use instead
    ```python
    def signup(request):
        User.objects.create_user(request.POST["username"], password=request.POST["password"])

    def login(request):
        user = authenticate(request, username=name, password=request.POST["password"])
    ```
    Outside Django, store `argon2.PasswordHasher().hash(password)` (or bcrypt, scrypt,
    werkzeug's `generate_password_hash`) and check with the library's `verify`.

    ## References
    - [CWE-256: Plaintext Storage of a Password](https://cwe.mitre.org/data/definitions/256.html)
    - [CWE-312: Cleartext Storage of Sensitive Information](https://cwe.mitre.org/data/definitions/312.html)
    - [OWASP Password Storage Cheat Sheet](https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html)
    - [Django: password management (make_password, check_password, set_password)](https://docs.djangoproject.com/en/stable/topics/auth/passwords/)
    - [Django: `create_user()` hashes, while `Model.objects.create()` stores the value as given](https://docs.djangoproject.com/en/stable/ref/contrib/auth/#django.contrib.auth.models.UserManager.create_user)
    - [Werkzeug `generate_password_hash` / `check_password_hash`](https://werkzeug.palletsprojects.com/en/stable/utils/#module-werkzeug.security)
    - [argon2-cffi `PasswordHasher`](https://argon2-cffi.readthedocs.io/en/stable/api.html)
    """

    code = "BR210"
    name = "plaintext-password"
    item = "secrets"
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    summary = "A password is stored, queried or compared in plain text, without a hasher"
    cwe = (256, 312)

    def visit_Module(self, node: cst.Module) -> None:
        self._scopes: dict[int, _Scope] = {}
        # a file that never spells a password word has nothing to report: skip it whole
        self._off = self.ctx.is_test_file or not _ANY_PASSWORD.search(self.ctx.source)
        self._models = {} if self._off else self._read_models(node)

    # -- scopes and values --------------------------------------------------------------------

    def _scope_node(self) -> cst.CSTNode:
        for node in reversed(self.ctx.stack):
            if type(node) is cst.FunctionDef:
                return node
        return self.ctx.stack[0]

    def _scope(self) -> _Scope:
        node = self._scope_node()
        scope = self._scopes.get(id(node))
        if scope is None:
            scope = self._scopes[id(node)] = _scan(node)
        return scope

    def _is_hashed(self, node: cst.BaseExpression) -> bool:
        """The expression contains a hasher call (or a name assigned from one)."""
        return any(isinstance(n, cst.Call) and self._is_hasher(n) for n in walk(node))

    def _is_hasher(self, call: cst.Call) -> bool:
        qualified = self.ctx.call_name(call) or ""
        if qualified in _HASHER_CALLS or qualified.startswith(_HASHER_PREFIXES):
            return True
        last = _last(call.func) or ""
        return bool(_HASHER_WORDS.search(last))

    def _is_raw(self, node: cst.BaseExpression, depth: int = 0) -> bool:
        """The value is the password as submitted: not hashed on the way here."""
        if depth > 4:
            return False
        if isinstance(node, cst.Name):
            assigned = self._scope().assigned.get(node.value, [])
            if any(self._is_hashed(value) for value in assigned):
                return False
            if _is_password_value_name(node.value):
                return True
            return any(self._is_raw(value, depth + 1) for value in assigned)
        if isinstance(node, cst.Attribute):
            if node.attr.value in ("data", "value") and isinstance(node.value, cst.Attribute):
                return _is_password_value_name(
                    node.value.attr.value
                )  # WTForms `form.password.data`
            return _is_password_value_name(node.attr.value)
        if isinstance(node, cst.Subscript):
            key = _subscript_key(node)
            return key is not None and _is_password_value_name(key)
        if isinstance(node, cst.Call):
            if self._is_hasher(node):
                return False
            key = _getter_key(node)
            if key is not None:
                return _is_password_value_name(key)
            func = node.func
            if isinstance(func, cst.Attribute) and func.attr.value in _PASSTHROUGH_METHODS:
                return self._is_raw(func.value, depth + 1)
            if isinstance(func, cst.Name) and func.value in _PASSTHROUGH_FUNCS and node.args:
                return self._is_raw(node.args[0].value, depth + 1)
        return False

    def _raw_field_keyword(self, call: cst.Call) -> cst.Arg | None:
        for arg in call.args:
            if (
                arg.keyword is not None
                and _is_field(arg.keyword.value)
                and not _is_literal(arg.value)
                and self._is_raw(arg.value)
            ):
                return arg
        return None

    # -- ORM writes and queries -----------------------------------------------------------------

    def visit_Call(self, node: cst.Call) -> None:
        if self._off:
            return
        func = node.func
        method = _last(func) or ""
        if isinstance(func, cst.Attribute) and method == "format":
            values = [a.value for a in node.args]
            self._check_sql_text(node, literal_string(func.value), values)
            return
        if isinstance(func, cst.Attribute) and method in _SQL_CALLS and len(node.args) >= 2:
            self._check_sql_parameters(node)
            return
        arg = self._raw_field_keyword(node)
        if arg is None or arg.keyword is None:
            return
        field_name = arg.keyword.value
        if isinstance(func, cst.Attribute) and self._is_orm_write(func):
            model = self._model_of(node)
            if (
                model
                and model[0] in self._models
                and not self._plain_model(model[0], field_name, model[1])
            ):
                return  # the model's own setter or save() hashes
            self._report_store(node, field_name, f"{method}()")
        elif method in _QUERY_CALLS:
            self.report(
                node,
                f"The query matches `{field_name}` against the password as submitted: the "
                "password is stored in plain text. Store a hash (Django `make_password`/"
                "`set_password`, argon2, bcrypt) and check it with the hasher's verify "
                "(`authenticate()`, `check_password()`) (CWE-256)",
            )
        elif (
            method[:1].isupper()
            and self._is_persisted(node)
            and self._plain_model(method, field_name, self.ctx.call_name(node) or "")
        ):
            self._report_store(node, field_name, f"{method}(...) then saved")

    def _is_orm_write(self, func: cst.Attribute) -> bool:
        method = func.attr.value
        if method == "values":  # SQLAlchemy insert(User).values(...) / update(User).values(...)
            return True
        if method not in _MANAGER_WRITES:
            return False
        chain: cst.BaseExpression = func.value
        while True:  # a Django manager or queryset: `User.objects...filter(...).update(...)`
            if isinstance(chain, cst.Attribute):
                if chain.attr.value == "objects":
                    return True
                chain = chain.value
            elif isinstance(chain, cst.Call):
                chain = chain.func
            else:
                break
        # peewee / Tortoise / ormar: `User.create(password=...)` on a model class this file
        # defines (an imported one may hash in a property setter the file cannot see)
        return (
            method == "create"
            and isinstance(func.value, cst.Name)
            and func.value.value in self._models
        )

    def _is_persisted(self, call: cst.Call) -> bool:
        parent = self.ctx.parent
        if isinstance(parent, cst.Attribute) and parent.attr.value == "save":
            return True  # `User(...).save()`
        for ancestor in reversed(self.ctx.stack[:-1]):
            if isinstance(ancestor, cst.Call) and (_last(ancestor.func) or "") in _PERSIST_CALLS:
                return True  # `db.session.add(User(...))`
            if isinstance(ancestor, cst.Assign):
                names = [t.target.value for t in ancestor.targets if isinstance(t.target, cst.Name)]
                return any(name in self._scope().persisted for name in names)
            if isinstance(ancestor, cst.SimpleStatementLine | cst.FunctionDef):
                break
        return False

    def _report_store(self, node: cst.CSTNode, field_name: str, how: str) -> None:
        self.report(
            node,
            f"`{field_name}` is written with the password as submitted ({how}), without a "
            "hasher: anyone who reads the table reads every password. Store a salted slow hash "
            "(Django `create_user()`/`set_password()`/`make_password()`, argon2, bcrypt, "
            "werkzeug `generate_password_hash`) (CWE-256)",
        )

    # -- attribute writes -------------------------------------------------------------------------

    def visit_Assign(self, node: cst.Assign) -> None:
        if self._off or len(node.targets) != 1:
            return
        target = node.targets[0].target
        if not isinstance(target, cst.Attribute) or not _is_field(target.attr.value):
            return
        if _is_literal(node.value) or not self._is_raw(node.value):
            return
        function = self.ctx.enclosing_function()
        if function is not None and self._is_setter(function):
            return
        field_name, obj = target.attr.value, target.value
        if isinstance(obj, cst.Name) and obj.value == "self":
            klass = self.ctx.enclosing_class()
            if klass is None or not self._plain_model(klass.name.value, field_name):
                return  # a client or config object keeping a credential, not a table row
            if function is not None and _is_parameter(node.value, function):
                return  # `__init__(self, password)`: the caller decides what it hands (a hash)
        elif isinstance(obj, cst.Name):
            scope = self._scope()
            if obj.value not in scope.persisted and not scope.commits:
                return  # an object never saved here: a form, a settings object
            made = scope.assigned.get(obj.value, [])
            if not any(self._makes_plain_row(value, field_name) for value in made):
                return  # a row of a model this file cannot see: its setter may hash
        else:
            return
        self._report_store(node, field_name, f"`.{field_name} = ...` then saved")

    def _plain_model(self, name: str, field_name: str, qualified: str = "") -> bool:
        """A model class that stores `field_name` as assigned: defined in this file without a
        hashing hook, or Django's own `User` (whose only hashing is `set_password`)."""
        if qualified.startswith("django.contrib.auth.models."):
            return True
        model = self._models.get(name)
        if model is None or not model.is_model:
            return False
        return field_name not in model.hashed and "*" not in model.hashed

    def _makes_plain_row(self, value: cst.BaseExpression, field_name: str) -> bool:
        """`User(...)`, `User.objects.get(...)`, `get_object_or_404(User, ...)` of a plain model."""
        if not isinstance(value, cst.Call):
            return False
        model = self._model_of(value)
        return model is not None and self._plain_model(model[0], field_name, model[1])

    def _model_of(self, call: cst.Call) -> tuple[str, str] | None:
        """(class name, qualified name) of the model a call builds or loads."""
        func = call.func
        if isinstance(func, cst.Name) and func.value == "get_object_or_404" and call.args:
            model = call.args[0].value
            return (_last(model) or "", self.ctx.resolve(model) or "")
        if isinstance(func, cst.Name | cst.Attribute) and (_last(func) or "")[:1].isupper():
            return (_last(func) or "", self.ctx.resolve(func) or "")
        chain: cst.BaseExpression = func
        while isinstance(chain, cst.Attribute | cst.Call):
            if isinstance(chain, cst.Call):
                arg = chain.args[0].value if chain.args else None
                if (
                    _last(chain.func) in ("query", "get", "get_or_404", "select")
                    and isinstance(arg, cst.Name)
                    and arg.value[:1].isupper()
                ):
                    return (arg.value, self.ctx.resolve(arg) or "")  # session.get(User, 1)
                chain = chain.func
            elif chain.attr.value in ("objects", "query"):
                return (_last(chain.value) or "", self.ctx.resolve(chain.value) or "")
            else:
                chain = chain.value
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
            return (func.value.value, self.ctx.resolve(func.value) or "")  # peewee `User.create`
        return None

    @staticmethod
    def _is_setter(function: cst.FunctionDef) -> bool:
        return any(
            isinstance(d.decorator, cst.Attribute) and d.decorator.attr.value == "setter"
            for d in function.decorators
        )

    def _read_models(self, module: cst.Module) -> dict[str, _Model]:
        """This file's classes and the password fields each hashes on assignment: a property
        setter or SQLAlchemy `@validates` that hashes, `synonym`/`property` built on a hashing
        method, a `PasswordType` column, or a `save`/`__init__` that hashes (`*`: every field)."""
        models: dict[str, _Model] = {}
        for node in walk(module):
            if not isinstance(node, cst.ClassDef) or not isinstance(node.body, cst.IndentedBlock):
                continue
            bases = [cst.Module([]).code_for_node(b.value) for b in node.bases]
            model = _Model(is_model=any(_MODEL_BASES.search(b) for b in bases))
            hashing: set[str] = set()
            for stmt in node.body.body:
                if isinstance(stmt, cst.FunctionDef) and self._is_hashed_body(stmt):
                    hashing.add(stmt.name.value)
                    model.hashed.update(self._hooked_fields(stmt))
            for stmt in node.body.body:
                if not isinstance(stmt, cst.SimpleStatementLine):
                    continue
                for small in stmt.body:
                    target, value = _class_binding(small)
                    if target is None or value is None:
                        continue
                    inner = list(walk(value))
                    if any(isinstance(n, cst.Name) and n.value in hashing for n in inner) or any(
                        isinstance(n, cst.Call) and (_last(n.func) or "").endswith("PasswordType")
                        for n in inner
                    ):
                        model.hashed.add(target)
            models[node.name.value] = model
        return models

    def _hooked_fields(self, function: cst.FunctionDef) -> set[str]:
        if function.name.value in _SAVE_HOOKS:
            return {"*"}
        fields: set[str] = set()
        for decorator in function.decorators:
            if isinstance(decorator.decorator, cst.Attribute):
                if decorator.decorator.attr.value == "setter":
                    fields.add(function.name.value)
            elif (
                isinstance(decorator.decorator, cst.Call)
                and _last(decorator.decorator.func) == "validates"
            ):
                args = decorator.decorator.args
                fields.update(k for k in (literal_string(a.value) for a in args) if k)
        return fields

    def _is_hashed_body(self, function: cst.FunctionDef) -> bool:
        return any(isinstance(n, cst.Call) and self._is_hasher(n) for n in walk(function))

    # -- in-memory comparisons --------------------------------------------------------------------

    def visit_Comparison(self, node: cst.Comparison) -> None:
        if self._off or len(node.comparisons) != 1:
            return
        if not isinstance(node.comparisons[0].operator, cst.Equal | cst.NotEqual):
            return
        left, right = node.left, node.comparisons[0].comparator
        for stored, submitted in ((left, right), (right, left)):
            if self._is_stored(stored) and self._is_submitted(submitted, stored):
                break
        else:
            return
        if self._is_column(stored):
            self.report(
                node,
                "The query matches the password column against the password as submitted: "
                "the password is stored in plain text. Store a hash and check it with the "
                "hasher's verify (CWE-256)",
            )
            return
        shown = cst.Module([]).code_for_node(stored)
        self.report(
            node,
            f"`{shown[:60]}` is compared with the submitted password: the password is kept in "
            "plain text. Store a salted slow hash and check it with the hasher's verify "
            "(`check_password`, `PasswordHasher().verify`, `bcrypt.checkpw`) (CWE-256)",
        )

    @staticmethod
    def _is_column(node: cst.BaseExpression) -> bool:
        return (
            isinstance(node, cst.Attribute)
            and isinstance(node.value, cst.Name)
            and node.value.value[:1].isupper()
        )

    def _is_stored(self, node: cst.BaseExpression) -> bool:
        """`user.password`, `users[name]["password"]`, `row["passwd"]`: a stored record's field."""
        if isinstance(node, cst.Attribute):
            name: str | None = node.attr.value
        elif isinstance(node, cst.Subscript):
            name = _subscript_key(node)
        else:
            return False
        if not _is_field(name):
            return False
        root = _root(node)
        return root not in _SUBMITTED_ROOTS or self._is_column(node)

    def _is_submitted(self, node: cst.BaseExpression, stored: cst.BaseExpression) -> bool:
        if _is_literal(node) or not self._is_raw(node):
            return False
        if self._is_stored(node):
            return False  # `old.password != new.password`: two records (or a confirmation check)
        last = _last(node) or (_subscript_key(node) if isinstance(node, cst.Subscript) else None)
        return not (last and _words(last) & _CONFIRM_WORDS)

    # -- SQL text -----------------------------------------------------------------------------------

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        if self._off or not isinstance(node.operator, cst.Add | cst.Modulo):
            return
        if isinstance(self.ctx.parent, cst.BinaryOperation) and isinstance(
            self.ctx.parent.operator, cst.Add
        ):
            return  # the outermost `+` of a concatenation reports it
        if isinstance(node.operator, cst.Modulo):
            text = literal_string(node.left)
            right = node.right
            values = [e.value for e in right.elements] if isinstance(right, cst.Tuple) else [right]
        else:
            parts = list(_concatenation(node))
            text = "".join(literal_string(p) or "" for p in parts)
            values = [p for p in parts if literal_string(p) is None]
        self._check_sql_text(node, text, values)

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        if self._off:
            return
        text = "".join(p.value for p in node.parts if isinstance(p, cst.FormattedStringText))
        values = [p.expression for p in node.parts if isinstance(p, cst.FormattedStringExpression)]
        self._check_sql_text(node, text, values)

    def _check_sql_text(
        self, node: cst.CSTNode, text: str | None, values: list[cst.BaseExpression]
    ) -> None:
        if not text or not _SQL_VERB.search(text) or not _SQL_FIELD.search(text):
            return
        raw = next((v for v in values if not _is_literal(v) and self._is_raw(v)), None)
        if raw is None:
            return
        self._report_sql(node, raw)

    def _sql_literal(self, node: cst.BaseExpression, depth: int = 0) -> str | None:
        """The SQL of `"..."`, `text("...")` (SQLAlchemy), or a name assigned one of those."""
        if isinstance(node, cst.Call) and _last(node.func) == "text" and node.args:
            node = node.args[0].value
        text = literal_string(node)
        if text is None and isinstance(node, cst.Name) and depth < 3:
            assigned = self._scope().assigned.get(node.value, [])
            text = next((t for t in (self._sql_literal(a, depth + 1) for a in assigned) if t), None)
        return text

    def _check_sql_parameters(self, call: cst.Call) -> None:
        text = self._sql_literal(call.args[0].value)
        if not text or not _SQL_VERB.search(text) or not _SQL_FIELD.search(text):
            return
        params = call.args[1].value
        if isinstance(params, cst.Tuple | cst.List):
            values = [e.value for e in params.elements]
        elif isinstance(params, cst.Dict):
            values = [e.value for e in params.elements if isinstance(e, cst.DictElement)]
        else:
            values = [params]
        raw = next((v for v in values if not _is_literal(v) and self._is_raw(v)), None)
        if raw is not None:
            self._report_sql(call, raw)

    def _report_sql(self, node: cst.CSTNode, raw: cst.BaseExpression) -> None:
        shown = cst.Module([]).code_for_node(raw)
        self.report(
            node,
            f"SQL on the password column takes `{shown[:60]}`, the password as submitted: the "
            "password is stored (or matched) in plain text. Store a salted slow hash (argon2, "
            "bcrypt, scrypt) and verify it in code, never `WHERE password = ?` (CWE-256)",
        )

    INVALID = [
        Invalid(
            """
from django.contrib.auth.models import User

def signup(request):
    passwd = request.POST.get("pass")
    User.objects.create(username=request.POST["user"], password=passwd)  # expect: BR210

def login(request):
    name, password = request.POST["user"], request.POST["password"]
    user = User.objects.filter(username=name, password=password).first()  # expect: BR210
    other = User.objects.get(username=name, passwd2=request.POST.get("password"))  # expect: BR210
    return user or other

def change(request, pk):
    new_password = request.POST["new_password"]
    User.objects.filter(pk=pk).update(password=new_password)  # expect: BR210
"""
        ),
        Invalid(
            """
import sqlite3

def login(username, password):
    c = sqlite3.connect("db.sqlite").cursor()
    return c.execute("SELECT * FROM users WHERE username = '{}' and password = '{}'".format(username, password)).fetchone()  # expect: BR210

def create(username, password):
    c = sqlite3.connect("db.sqlite").cursor()
    c.execute("INSERT INTO users (username, password) VALUES ('%s', '%s')" % (username, password))  # expect: BR210

def check(conn, name, pwd):
    query = "SELECT id FROM users WHERE name = '" + name + "' AND password = '" + pwd + "'"  # expect: BR210
    return conn.execute(query)

def param(conn, name, raw_password):
    return conn.execute("SELECT id FROM users WHERE name = ? AND password = ?", (name, raw_password))  # expect: BR210

def sqlalchemy_text(session, name, password):
    query = text("SELECT id FROM users WHERE name = :n AND password = :p")
    return session.execute(query, {"n": name, "p": password})  # expect: BR210

def loop(conn, query, password):
    query = query
    return conn.execute(query, (password,))

def fstring(conn, name, password):
    return conn.execute(f"UPDATE users SET password = '{password}' WHERE name = '{name}'")  # expect: BR210
"""
        ),
        Invalid(
            """
from django.contrib.auth.models import User as DjangoUser
from django.shortcuts import get_object_or_404
from flask import request
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()
users = {"admin": {"password": "s3cret"}}

class User(db.Model):
    email = db.Column(db.String)
    password = db.Column(db.String)

    def __init__(self, email, password):
        self.email = email
        self.password = password  # ok: BR210 (the caller decides: a model stores what it gets)

    def reset_from(self, form):
        self.password = form["password"]  # expect: BR210

def login():
    username, password = request.form["username"], request.form["password"]
    if username in users and users[username]["password"] == password:  # expect: BR210
        return "ok"

def login_orm():
    user = User.query.filter_by(username=request.form["username"]).first()
    if user.password == request.form["password"]:  # expect: BR210
        return "ok"
    return User.query.filter(User.password == request.form["password"]).first()  # expect: BR210

def register(body):
    user = User(email=body.email, password=body.password)  # expect: BR210
    db.session.add(user)
    db.session.commit()

def reset(uid, form):
    user = User.query.get(uid)
    user.password = form.password.data  # expect: BR210
    db.session.commit()

class Account(Model):
    password = CharField()

def peewee_signup(form):
    Account.create(username=form["username"], password=form["password"])  # expect: BR210

def django_reset(request, pk):
    account = get_object_or_404(DjangoUser, pk=pk)
    account.password = request.POST["password"]  # expect: BR210
    account.save()
    DjangoUser(username="x", password=request.POST["password"]).save()  # expect: BR210
"""
        ),
    ]
    VALID = [
        Valid(
            """
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import User

def signup(request):
    password = request.POST["password"]
    User.objects.create_user(username=request.POST["user"], password=password)  # ok: BR210
    User.objects.create(username="x", password=make_password(password))  # ok: BR210

def hashed_first(request):
    password = make_password(request.POST["password"])
    User.objects.create(username="x", password=password)  # ok: BR210

def login(request):
    user = authenticate(request, username="x", password=request.POST["password"])  # ok: BR210
    row = User.objects.get(username="x")
    return check_password(request.POST["password"], row.password)  # ok: BR210

def change(user, request):
    user.set_password(request.POST["password"])  # ok: BR210
    user.save()

def seed():
    User.objects.filter(username="demo").update(password_hash=make_password("x"))  # ok: BR210
"""
        ),
        Valid(
            """
import bcrypt
from argon2 import PasswordHasher
from werkzeug.security import check_password_hash, generate_password_hash

ph = PasswordHasher()

def login(user, password, form):
    ph.verify(user.password, password)  # ok: BR210
    bcrypt.checkpw(password.encode(), user.password)  # ok: BR210
    if user.password_hash == hash_password(password):  # ok: BR210
        return check_password_hash(user.password, password)  # ok: BR210
    if password != form["password_again"] or form["password"] != form["password2"]:  # ok: BR210
        return False
    if settings.password != previous_settings.password:  # ok: BR210
        reconnect()
    log.info("user %s asked to update password for the account where %s" % (user.name, password))  # ok: BR210
    return len(user.password) == 0 or user.password is None  # ok: BR210

def store(conn, name, password, db):
    key = hashlib.pbkdf2_hmac("sha256", password.encode(), SALT, 600_000)
    conn.execute("UPDATE users SET password = ? WHERE name = ?", (key.hex(), name))  # ok: BR210
    conn.execute("INSERT INTO users (name, password) VALUES ('%s', '%s')" % (name, ""))  # ok: BR210
    user = User(name=name, password=generate_password_hash(password))  # ok: BR210
    db.session.add(user)
    user.password = ph.hash(password)  # ok: BR210
    db.session.commit()

def schemas(body):
    creds = LoginRequest(username=body.username, password=body.password)  # ok: BR210
    return requests.post(URL, json=dict(password=body.password), auth=creds)  # ok: BR210
"""
        ),
        Valid(
            """
import smtplib

class Mailer:
    def __init__(self, host, password):
        self.password = password  # ok: BR210

class User(db.Model):
    password_hash = db.Column(db.String)

    @property
    def password(self):
        raise AttributeError("write-only")

    @password.setter
    def password(self, password):
        self.password_hash = generate_password_hash(password)

def register(form):
    user = User()
    user.password = form.password.data  # ok: BR210
    db.session.add(user)
    db.session.add(Account(email=form.email.data, password=form.password.data))  # ok: BR210
    db.session.commit()

class Users(db.Model):
    password = db.Column(db.String(128))

    @validates("password")
    def validate_password(self, key, plaintext):
        return hash_password(str(plaintext))

class Member(Base):
    _password = mapped_column("password", String(120))

    def _set_password(self, password):
        self._password = generate_password_hash(password)

    password = synonym("_password", descriptor=property(lambda self: self._password, _set_password))

class Profile(models.Model):
    password = models.CharField(max_length=128)

    def save(self, *args, **kwargs):
        self.password = make_password(self.password)
        super().save(*args, **kwargs)

def signup(form, request):
    db.session.add(Users(name=form.name.data, password=form.password.data))  # ok: BR210
    member = Member.query.get(1)
    member.password = request.form["password"]  # ok: BR210
    db.session.commit()
    Profile.objects.create(password=request.POST["password"])  # ok: BR210
    Member.create(username="x", password=request.form["password"])  # ok: BR210
    ImportedUser.create(username="x", password=request.form["password"])  # ok: BR210
"""
        ),
        Valid(
            """
def test_login(client, user):
    assert user.password == "secret"
    User.objects.create(username="u", password=password)  # ok: BR210
""",
            path="tests/test_login.py",
        ),
    ]


def _is_parameter(value: cst.BaseExpression, function: cst.FunctionDef) -> bool:
    if not isinstance(value, cst.Name):
        return False
    params = function.params
    every = [*params.posonly_params, *params.params, *params.kwonly_params]
    return any(p.name.value == value.value for p in every)


def _concatenation(node: cst.BaseExpression) -> Iterator[cst.BaseExpression]:
    """The operands of `a + b + c`, in source order (iterative: a hostile file may chain
    thousands)."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.BinaryOperation) and isinstance(current.operator, cst.Add):
            stack.extend((current.right, current.left))
        else:
            yield current
