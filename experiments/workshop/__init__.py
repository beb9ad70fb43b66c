"""The workshop outputs, made from tables only: figures, the report and its words (key findings, glossary,
assumptions), the vocabulary of names and colours, and the interactive page."""
