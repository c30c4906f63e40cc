"""The sections of the plain-English contract, one module per concept.

`agreement.render.build_contract` puts them together in reading order:

- `summary`: the first page (parties, term, hours, first replies, fee);
- `service`: response times and support availability;
- `delivery`: milestones, roles and responsibilities;
- `accountability`: performance targets, service credits and escalation;
- `terms`: delays, change requests, late payment, reviews, billing and
  definitions.

Each section is a function of a `Context` (`context`), which holds the
agreement and the phrases the sections share.
"""
