"""Where each community stands in the three-stage engagement approach (段階的アプローチ).

Practice 11 of the METI practice collection (seed 001, from Kansai SEC-net) brings a community up in
three stages: (1) individual approaches: one-to-one relationships around a convener, a long list of
regional bodies, key-person candidates; (2) joint events in which every stakeholder holds a role, so
that the bodies tie to each other and not only to the convener; (3) routine events (定番化) planned and
run with the core bodies and key persons, which the community keeps going by itself. Practice 5 adds
the hand-over: a public body hosts first with an existing community as co-host, and from the next
year the community runs it.

The rules are data (``stage_rules.json``, one rule per line of the approach, each with the measure it
tests and a threshold), read by :mod:`.rules`; :mod:`.measures` computes what each rule tests, and
:mod:`.results` places each community and area: a community's stage is the highest stage whose own
rules are all met; what earlier stages lack is reported as a gap of the record, not as a lower stage.

Which events are a community's is defined in ``activity`` (:class:`CommunityActivity`).
"""
