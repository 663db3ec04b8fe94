"""The analysis-ready export as Parquet: typed columns, the codebook in the file's metadata.

Analysts with R (``arrow::read_parquet``) or Python (pandas, pyarrow, polars) read a column of
a Parquet file in a fraction of the time a CSV takes, with its type: design weights as
float64, scale answers and numbered choices as 32-bit integers (R's integer) with missing
values as nulls, codes, dates and free text as strings. ``python -m analysis`` reads it as it
reads the CSV.

The file's key-value metadata carries what the XLSX keeps in its other sheets, each value a
UTF-8 JSON text: ``codebook`` (one record per column: ``column``, ``question_vi``, ``type``,
``choices``, ``index_element``, as the XLSX codebook sheet), ``index_tree`` (``item_score``,
``root`` and ``nodes``, the shape of ``flask export index-tree``, so
``python -m analysis index --tree`` takes it once written to a file) and ``notes`` (the
weighting notes, one line each). In R: ``jsonlite::fromJSON(arrow::read_parquet(f,
as_data_frame = FALSE)$metadata$codebook)``.

Cells are written as they are: a Parquet file is not opened by a spreadsheet, so the
formula defusing of ``survey.spreadsheets`` (an apostrophe before ``=`` etc.) would only
change the data.
"""

from __future__ import annotations

import json

import pandas as pd

from survey.questionnaire import QuestionnaireDefinition

METADATA_KEYS = ("codebook", "index_tree", "notes")


def write_parquet(frame: pd.DataFrame, path_or_buffer, *, notes: list[str],
                  questionnaire: QuestionnaireDefinition | None = None) -> None:
    """Write ``frame`` with typed columns and the codebook, tree and notes as metadata."""
    import pyarrow as pa  # only this export pays for pyarrow's import
    import pyarrow.parquet as pq

    from survey.exports.codebook import codebook
    from survey.exports.tree import tree_nodes

    schema = _schema(frame)
    text = [field.name for field in schema if field.type == pa.string()]
    typed = frame.assign(**{name: frame[name].astype("string") for name in text})  # dates too
    table = pa.Table.from_pandas(typed, schema=schema, preserve_index=False)
    metadata = {"notes": notes}
    if questionnaire is not None:
        metadata["codebook"] = codebook(questionnaire, list(frame.columns)).to_dict(orient="records")
        metadata["index_tree"] = tree_nodes(questionnaire)
    table = table.replace_schema_metadata({
        **(table.schema.metadata or {}),
        **{key: json.dumps(value, ensure_ascii=False) for key, value in metadata.items()},
    })
    pq.write_table(table, path_or_buffer, compression="zstd")


def _schema(frame: pd.DataFrame):
    """Integers as int32, other numbers as float64, every other column as text."""
    import pyarrow as pa

    fields = []
    for name, dtype in frame.dtypes.items():
        if pd.api.types.is_bool_dtype(dtype):
            kind = pa.bool_()
        elif pd.api.types.is_integer_dtype(dtype):
            kind = pa.int32()
        elif pd.api.types.is_float_dtype(dtype):
            kind = pa.float64()
        else:
            kind = pa.string()
        fields.append(pa.field(str(name), kind))
    return pa.schema(fields)


def read_metadata(path) -> dict:
    """The export's metadata (``codebook``, ``index_tree``, ``notes``) parsed from JSON."""
    import pyarrow.parquet as pq

    metadata = pq.read_schema(path).metadata or {}
    return {key: json.loads(metadata[key.encode()]) for key in METADATA_KEYS
            if key.encode() in metadata}

