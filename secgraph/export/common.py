"""What the table and graph-file writers share: the one date every file carries, so that the same data
gives the same bytes. (Record kinds, sectors and prefectures are named by ``model.vocabulary.kind_label``,
``model.vocabulary.sector_label`` and ``model.geography.prefecture_names``.)"""

from __future__ import annotations

import datetime as dt

#: The date written into every workbook, zip entry and GEXF file: a fixed one, so the same data gives the
#: same bytes.
FIXED_TIMESTAMP = dt.datetime(2000, 1, 1, 0, 0, 0)
