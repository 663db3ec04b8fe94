"""The analysis frame: from stored responses and dossier counts to the one-row-per-response
table with design weights that `analysis/` estimates from (docs/methodology.md).

`load.analysis_frame(session, wave)` is the entry point. `responses` reads a wave's responses
and decodes the compact copies of their answers (`compact`); `design` computes the weights of
the cells centre × field × quarter, collapsing thin cells through the field families
(`families`); `margins` rakes to known totals; `report` says what the weighting did.
"""
