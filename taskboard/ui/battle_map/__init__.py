"""The battle map (挂图作战): charts, KPI tiles and the district ranking."""

TAB_TITLE = "挂图作战"
