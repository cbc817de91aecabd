"""The analyses, each a function of a graph (``GraphStore.snapshot()``) and a scope.

| question | function |
|---|---|
| who holds the network together, or could (キーパーソン候補) | ``key_person_candidates`` |
| who links two chosen groups | ``betweenness_between_groups`` |
| which prefectures, regions and communities are isolated | ``isolated_regions`` |
| which sectors a community lacks, and whom to approach | ``missing_sectors`` |
| where each community stands in the three-stage approach | ``engagement_stage`` |
| how healthy each community's network is | ``network_health`` |
| what changed between two dates | ``changes_between`` |
"""

from secgraph.analysis.compare import changes_between
from secgraph.analysis.health import network_health
from secgraph.analysis.key_persons import betweenness_between_groups, key_person_candidates
from secgraph.analysis.network import Scope
from secgraph.analysis.regions.findings import isolated_regions
from secgraph.analysis.sectors import missing_sectors
from secgraph.analysis.stage.results import engagement_stage

__all__ = [
    "Scope",
    "betweenness_between_groups",
    "changes_between",
    "engagement_stage",
    "isolated_regions",
    "key_person_candidates",
    "missing_sectors",
    "network_health",
]
