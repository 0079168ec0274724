"""BR111 xml-external-entities: client XML parsed by a parser that resolves entities."""

from __future__ import annotations

from reviewer.checks._taint import TaintRule
from reviewer.checks.base import Invalid, Valid
from reviewer.model import Confidence, Severity


class XmlExternalEntities(TaintRule):
    """Request data is parsed as XML by a parser that resolves external entities.

    ## What it does
    Follows client data to `lxml.etree.fromstring/XML/parse/iterparse` (high confidence with an
    `XMLParser(resolve_entities=True)` or `no_network=False`, medium with lxml's default parser)
    and to `xml.sax` parsers with `feature_external_ges` turned on. `defusedxml` and an
    `XMLParser(resolve_entities=False)` pass.

    ## Why is this bad
    An external entity (`<!ENTITY x SYSTEM "file:///etc/passwd">`) makes the parser read local
    files or fetch URLs and put them in the document (CWE-611).

    ## Example
    ```python
    parser = etree.XMLParser(resolve_entities=True)
    doc = etree.fromstring(request.data, parser)
    ```

    ## Use instead
    ```python
    doc = defusedxml.lxml.fromstring(request.data)
    ```

    ## References
    - https://cwe.mitre.org/data/definitions/611.html
    - https://github.com/tiran/defusedxml
    """

    code = "BR111"
    name = "xml-external-entities"
    item = "injection"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    summary = "Client XML is parsed with external entity resolution"
    cwe = (611,)
    taint_kinds = {"xxe": "an XML parser that resolves external entities"}
    advice = "parse with defusedxml or an lxml XMLParser(resolve_entities=False, no_network=True)"
    external_ids = ()  # bandit B320 flags every lxml parse

    INVALID = [
        Invalid(
            """
from flask import Flask, request
from lxml import etree

app = Flask(__name__)

@app.route("/upload", methods=["POST"])
def upload():
    parser = etree.XMLParser(resolve_entities=True)
    doc = etree.fromstring(request.data, parser)  # expect: BR111
    other = etree.fromstring(request.get_data())  # expect: BR111
    return doc.tag + other.tag
"""
        ),
    ]
    VALID = [
        Valid(
            """
import defusedxml.lxml
from flask import Flask, request
from lxml import etree

app = Flask(__name__)

@app.route("/upload", methods=["POST"])
def upload():
    safe = etree.XMLParser(resolve_entities=False, no_network=True)
    doc = etree.fromstring(request.data, safe)  # ok: BR111
    other = defusedxml.lxml.fromstring(request.data)  # ok: BR111
    local = etree.parse("config.xml")  # ok: BR111
    return doc.tag + other.tag + local.getroot().tag
"""
        ),
    ]
