"""The only package that knows SQL: configuration, the table contract, queries, demo warehouse.

Every frame here and above is small (aggregates, option lists, a page of drill-through rows),
so text columns are kept as Python strings rather than pandas 3's default Arrow storage: on
frames of tens to thousands of rows Arrow's per-operation conversions cost more than they
save (a cold weekly review spent 0.8 s of 4.1 s converting). The values are the same; set
here, on the import every process of the dashboard and its tests makes first.
"""

import pandas as pd

pd.set_option("mode.string_storage", "python")
