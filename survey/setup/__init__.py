"""First-run setup: the province's localities, centres and fields, the questionnaires,
the current wave and the first admin (`flask seed`)."""
